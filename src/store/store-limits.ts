/** Row groups waiting for compression or the disk, over all tables, before the store holds the replay back. */
export const MAX_PENDING = 6;

// x86 page fault error code bits (arch/x86/include/asm/trap_pf.h) a Linux model reads.
export const PF_PROT = 0x1;
export const PF_WRITE = 0x2;
export const PF_INSTR = 0x10;

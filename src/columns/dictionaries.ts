// The dictionaries of one run: every string and every 64-bit address the run
// meets gets a dense id here. Made once per run and handed to the ingest (which
// interns) and to the outputs (which resolve ids), so both see the same ids.

import { AddressTable } from './addresses.js';
import { StringTable } from './strings.js';

export class Dictionaries {
  readonly strings = new StringTable();
  readonly addresses = new AddressTable();
}

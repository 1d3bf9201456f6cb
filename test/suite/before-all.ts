// Run by tap before the suite: note what the temp folder holds (see temp-litter.ts).
import { saveSnapshot } from './temp-litter.js';

saveSnapshot();

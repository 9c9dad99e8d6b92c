/**
 * The shapes a person's access log is answered in: the server builds them (`accessLogRows.ts`,
 * `transparencyView.ts`) and the `/transparency` page reads them. Types only, importing nothing,
 * so the page's browser bundle can import them without pulling Node in.
 */

/** One read of one subject's records: who read them, when, for what, which fields, under which grants. */
export interface SubjectRead {
  time: string;
  agency: string;
  /** The record type read (`Student`, `Organization`, …). */
  type: string;
  consumer: string;
  purpose: string | null;
  case: string | null;
  released: string[];
  masked: string[];
  grants: string[];
  requestId: string;
  /** Where the read is in the trail: the chain (folder) and the record's number. */
  seq: number;
}

/** A read as the subject sees it: with the reading department's name. */
export interface TransparencyRead extends Omit<SubjectRead, 'seq'> {
  consumerName: string;
}

/** What `/transparency/api/reads` answers a data subject: their identifier masked, and every read of their records. */
export interface TransparencyAnswer {
  subject: string;
  agencies: string[];
  /** Agencies whose reads could not be looked up (no subject key here): their absence is not "nobody read". */
  unavailable: string[];
  /** False while the index is still taking in the latest part of the trail: reads may be missing. */
  complete: boolean;
  reads: TransparencyRead[];
}

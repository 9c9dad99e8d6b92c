import { beijingDate, type WorkCalendar } from '../grants';
import { isOverdue, workingDaysLeft } from './dueDates';
import type { Dispute, DisputeStoreState } from './model';

/** A dispute as listed: its evidence named and digested, not its contents; where it stands on the day listed. */
export interface ListedDispute extends Pick<
  Dispute,
  | 'id'
  | 'agency'
  | 'consumer'
  | 'purpose'
  | 'coordinate'
  | 'key'
  | 'claim'
  | 'filedAt'
  | 'filedBy'
  | 'dueDate'
  | 'status'
  | 'answer'
> {
  evidence?: { name: string; bytes: number; sha256: string };
  overdue: boolean;
  /** Open disputes: working days until the due date (negative: how many late). */
  workingDaysLeft?: number;
}

export interface DisputeFilter {
  agency?: string;
  consumer?: string;
  /** `open`: not yet answered (overdue ones too); `overdue`: open past their due date. */
  status?: 'open' | 'overdue' | 'all';
}

/**
 * The disputes a CDO (by agency) or a consumer sees, on `today` (a Beijing date): open ones first,
 * the most urgent first, then answered ones, the latest answer first. Pure.
 */
export function listDisputes(
  state: Pick<DisputeStoreState, 'disputes'>,
  filter: DisputeFilter,
  today: string,
  calendar: WorkCalendar,
): ListedDispute[] {
  return state.disputes
    .filter(
      (d) => (!filter.agency || d.agency === filter.agency) && (!filter.consumer || d.consumer === filter.consumer),
    )
    .map((d): ListedDispute => {
      const { evidence, ...rest } = d;
      return {
        ...rest,
        ...(evidence ? { evidence: { name: evidence.name, bytes: evidence.bytes, sha256: evidence.sha256 } } : {}),
        overdue: isOverdue(d, today),
        ...(d.status === 'open' ? { workingDaysLeft: workingDaysLeft(d.dueDate, today, calendar) } : {}),
      };
    })
    .filter(
      (d) => !filter.status || filter.status === 'all' || (filter.status === 'open' ? d.status === 'open' : d.overdue),
    )
    .sort((a, b) => {
      if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
      if (a.status === 'open') return a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id);
      return (b.answer?.at ?? '').localeCompare(a.answer?.at ?? '') || b.id.localeCompare(a.id);
    });
}

/** Open and overdue disputes of an agency, for its usage report and the console's usage page. */
export interface DisputeSummary {
  open: number;
  overdue: number;
  /** Every open dispute, the most urgent first. */
  openDisputes: ListedDispute[];
}

export function disputeSummary(listed: readonly ListedDispute[]): DisputeSummary {
  const open = listed.filter((d) => d.status === 'open');
  return { open: open.length, overdue: open.filter((d) => d.overdue).length, openDisputes: open };
}

/** The summary's lines under `hub audit report`'s table (none when nothing is open). */
export function disputeReportLines(agency: string, summary: DisputeSummary): string[] {
  if (!summary.open) return [];
  const rows = summary.openDisputes.map((d) => [
    d.id,
    d.overdue ? 'OVERDUE' : 'open',
    d.consumer,
    d.coordinate,
    d.key,
    beijingDate(new Date(d.filedAt)),
    d.dueDate,
  ]);
  const header = ['dispute', 'status', 'consumer', 'field', 'key', 'filed', 'due'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [
    '',
    `disputes open: ${summary.open}, overdue: ${summary.overdue} (hub dispute list --agency ${agency})`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
}

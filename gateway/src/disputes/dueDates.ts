import { addWorkingDays, beijingDate, workingDaysBetween, type WorkCalendar } from '../grants';
import type { Dispute } from './model';

/**
 * When a dispute's answer is due: `workingDays` working days (weekends and public holidays do not
 * count, make-up workdays do) after the Beijing date it was filed on, the filing day not counted.
 * Pure.
 */
export function disputeDueDate(filedAt: Date, workingDays: number, calendar: WorkCalendar): string {
  return addWorkingDays(beijingDate(filedAt), workingDays, calendar);
}

/** Open and past its due date on `today` (a Beijing date): overdue. The due date itself is still in time. Pure. */
export function isOverdue(dispute: Pick<Dispute, 'status' | 'dueDate'>, today: string): boolean {
  return dispute.status === 'open' && today > dispute.dueDate;
}

/** Working days left until the due date (negative: how many late), for an open dispute. Pure. */
export function workingDaysLeft(dueDate: string, today: string, calendar: WorkCalendar): number {
  return today <= dueDate
    ? workingDaysBetween(today, dueDate, calendar)
    : -workingDaysBetween(dueDate, today, calendar);
}

import { addSurrogateOrderColumn, type AgencyDatabase } from '@cdo-hub/subgraph-kit';

/**
 * What a database seeded before roster keys needs to be served: `roster_key` on students and
 * teachers, filled at random and indexed, replacing the order by student number (the pupil's ID
 * number) and staff number. Runs when the subgraph opens the database; rows are only added to,
 * never rewritten or dropped, and a current database is left as it is.
 */
export function migrateEducationDatabase(db: AgencyDatabase): void {
  const students = addSurrogateOrderColumn(db, {
    table: 'students',
    parentColumn: 'school_code',
    column: 'roster_key',
    index: 'students_in_roster_order',
  });
  const teachers = addSurrogateOrderColumn(db, {
    table: 'teachers',
    parentColumn: 'school_code',
    column: 'roster_key',
    index: 'teachers_in_roster_order',
  });
  // The old order's indexes serve no list any more.
  if (students) db.raw.exec('DROP INDEX IF EXISTS students_by_school');
  if (teachers) db.raw.exec('DROP INDEX IF EXISTS teachers_by_school');
}

import { hubError } from '@cdo-hub/contracts';
import {
  assertInScope,
  assertOwner,
  childConnection,
  isDistrictCode,
  isInvestmentProjectCode,
  isSchoolCode,
  isValidUscc,
  listIdentity,
  rootConnection,
  toPage,
  type ChildListSpec,
  type RequestLoaders,
} from '@cdo-hub/subgraph-kit';
import type { Resolvers } from '../generated/resolvers';
import type { SchoolConstructionRow, SchoolRow, StudentRow, TeacherRow } from '../model';

// Rosters and staff lists are ordered by a random surrogate, never by student number (the pupil's
// ID number: birthplace and birth date) or staff number, which not every reader of the list may read.
const STUDENTS_OF_SCHOOL: ChildListSpec = { table: 'students', parentColumn: 'school_code', sortColumn: 'roster_key' };
const TEACHERS_OF_SCHOOL: ChildListSpec = { table: 'teachers', parentColumn: 'school_code', sortColumn: 'roster_key' };
/** Schools of a district; the type filter is a fixed condition per enum value, never user text. */
function schoolsOfDistrict(type: string | null | undefined): ChildListSpec {
  return {
    table: 'schools',
    parentColumn: 'district_code',
    sortColumn: 'code',
    ...(type ? { where: `type = '${type}'` } : {}),
  };
}

interface DistrictFigures {
  [column: string]: unknown;
  district_code: string;
  school_count: number;
  student_count: number;
  teacher_count: number;
}

function requireSchoolCode(code: string): string {
  if (!isSchoolCode(code))
    throw hubError('INVALID_IDENTIFIER', `"${code}" is not a 10-digit school identifier.`, {
      identifier: 'SCHOOL_CODE',
    });
  return code;
}

export const resolvers: Resolvers = {
  Query: {
    school: (_, { code }, { loaders }) => loaders.rowsByKey<SchoolRow>('schools', 'code').load(requireSchoolCode(code)),
    schools: (_, { districtCode, type, first, after }, { db, cursors }) => {
      if (districtCode != null && !isDistrictCode(districtCode)) {
        throw hubError('INVALID_IDENTIFIER', `"${districtCode}" is not a Beijing district code.`, {
          identifier: 'DISTRICT_CODE',
        });
      }
      // Only the filters given go into the SQL, so SQLite can pick the matching index.
      const filters = [
        ['district_code', districtCode],
        ['type', type],
      ].filter((filter): filter is [string, string] => filter[1] != null);
      return rootConnection<SchoolRow, SchoolRow>(
        db,
        {
          table: 'schools',
          sortColumn: 'code',
          where: filters.map(([column]) => `${column} = ?`).join(' AND ') || '1 = 1',
          params: filters.map(([, value]) => value),
        },
        toPage({ first, after }, listIdentity('Query.schools', { districtCode, type }), cursors),
        (row) => row,
      );
    },
  },

  Mutation: {
    updateSchoolEnrolment: (_, { code, enrolment }, context) => {
      assertOwner(context, 'education', 'Mutation.updateSchoolEnrolment');
      requireSchoolCode(code);
      if (!Number.isInteger(enrolment) || enrolment < 0 || enrolment > 100_000)
        throw hubError('BAD_USER_INPUT', `enrolment must be a whole number from 0 to 100,000, not ${enrolment}.`);
      // The change-capture trigger records the school and its district for the gateways' caches.
      const changed = context.db.run('UPDATE schools SET enrolment = ? WHERE code = ?', [enrolment, code]);
      return changed.changes
        ? (context.db.get<SchoolRow>('SELECT * FROM schools WHERE code = ?', [code]) ?? null)
        : null;
    },
  },

  School: {
    __resolveReference: (reference, { loaders }) =>
      loaders.rowsByKey<SchoolRow>('schools', 'code').load(reference.code),
    foundedYear: (school) => school.founded_year,
    classCount: (school) => school.class_count,
    teacherCount: (school) => school.teacher_count,
    district: (school) => ({ code: school.district_code }),
    organization: (school) => ({ uscc: school.uscc }),
    // A roster released under a grant limited to one district stays inside the agency for other districts.
    students: (school, args, context) => {
      assertInScope(context, 'School.students', { districtCode: school.district_code });
      return childConnection<StudentRow, StudentRow>(
        context.loaders,
        STUDENTS_OF_SCHOOL,
        toPage(args, listIdentity('School.students'), context.cursors),
        school.code,
        (row) => row,
      );
    },
    teachers: (school, args, context) => {
      assertInScope(context, 'School.teachers', { districtCode: school.district_code });
      return childConnection<TeacherRow, TeacherRow>(
        context.loaders,
        TEACHERS_OF_SCHOOL,
        toPage(args, listIdentity('School.teachers'), context.cursors),
        school.code,
        (row) => row,
      );
    },
  },

  Student: {
    studentNumber: (student) => student.student_number,
    idNumber: (student) => student.id_number,
    birthDate: (student) => student.birth_date,
    guardianName: (student) => student.guardian_name,
    guardianPhone: (student) => student.guardian_phone,
    healthStatus: (student) => student.health_status,
    receivesFinancialAid: (student) => student.financial_aid === 1,
    migrant: (student) => student.migrant === 1,
    school: async (student, _, { loaders }) =>
      (await loaders.rowsByKey<SchoolRow>('schools', 'code').load(student.school_code))!,
  },

  Teacher: {
    staffNumber: (teacher) => teacher.staff_number,
    school: async (teacher, _, { loaders }) =>
      (await loaders.rowsByKey<SchoolRow>('schools', 'code').load(teacher.school_code))!,
  },

  District: {
    __resolveReference: (reference) => ({ code: reference.code }),
    schoolCount: async (district, _, { loaders }) => (await districtFigures(loaders, district.code)).school_count,
    studentCount: async (district, _, { loaders }) => (await districtFigures(loaders, district.code)).student_count,
    teacherCount: async (district, _, { loaders }) => (await districtFigures(loaders, district.code)).teacher_count,
    schools: (district, { type, ...args }, { loaders, cursors }) =>
      childConnection<SchoolRow, SchoolRow>(
        loaders,
        schoolsOfDistrict(type),
        toPage(args, listIdentity('District.schools', { type }), cursors),
        district.code,
        (row) => row,
      ),
  },

  Organization: {
    __resolveReference: (reference) => ({ uscc: reference.uscc }),
    school: (organization, _, { loaders }) =>
      isValidUscc(organization.uscc) ? loaders.rowsByKey<SchoolRow>('schools', 'uscc').load(organization.uscc) : null,
  },

  InvestmentProject: {
    // Projects belong to the Development and Reform Commission; most build no school, so an
    // unknown code is no error here: its fields are null. Only its shape is checked.
    __resolveReference: (reference) => {
      if (!isInvestmentProjectCode(reference.code)) {
        throw hubError(
          'INVALID_IDENTIFIER',
          `"${reference.code}" is not an investment project code (YYYY-RRRRRR-DD-TT-NNNNNN).`,
          { identifier: 'PROJECT_CODE' },
        );
      }
      return { code: reference.code };
    },
    schoolPlacesAdded: async (project, _, { loaders }) =>
      (await schoolConstruction(loaders, project.code))?.places_added ?? null,
    plannedOpeningYear: async (project, _, { loaders }) =>
      (await schoolConstruction(loaders, project.code))?.planned_opening_year ?? null,
  },
};

function schoolConstruction(loaders: RequestLoaders, projectCode: string): Promise<SchoolConstructionRow | null> {
  return loaders.rowsByKey<SchoolConstructionRow>('school_construction', 'project_code').load(projectCode);
}

/** Every figure of every requested district comes from one grouped statement per request. */
async function districtFigures(loaders: RequestLoaders, code: string): Promise<DistrictFigures> {
  return loaders
    .figuresByKey<DistrictFigures>(
      'districtFigures',
      'district_code',
      `SELECT district_code, COUNT(*) AS school_count, SUM(enrolment) AS student_count, SUM(teacher_count) AS teacher_count
       FROM schools WHERE district_code IN (SELECT value FROM json_each(?)) GROUP BY district_code`,
      (key) => ({ district_code: key, school_count: 0, student_count: 0, teacher_count: 0 }),
    )
    .load(code);
}

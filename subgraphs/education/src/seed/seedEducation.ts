import {
  buildResidentId,
  buildWorld,
  mobileNumber,
  personName,
  surname,
  SeededRandom,
  TableWriter,
  WORLD_SEED,
  type AgencyDatabase,
  type SeedPlan,
  type SeedProgress,
  type SeedSize,
  type WorldSchool,
} from '@cdo-hub/subgraph-kit';
import { EDUCATION_DDL } from '../database/schema';

/** Students seeded per school at each size (higher-education institutions get twice as many). */
const STUDENTS_PER_SCHOOL: Readonly<Record<SeedSize, readonly [number, number]>> = {
  small: [10, 50],
  bench: [120, 220],
};

/** The school year the seed describes: a first-grader of 2026 was born in 2019/2020. */
const SCHOOL_YEAR = 2026;

/** Provinces migrant students' ID numbers come from (their address codes). */
const MIGRANT_ADDRESS_CODES = [
  '130102',
  '130602',
  '370102',
  '410105',
  '420106',
  '510104',
  '440524',
  '230103',
  '140105',
  '210102',
];

const GRADES: Readonly<Record<WorldSchool['type'], readonly [number, number]>> = {
  KINDERGARTEN: [0, 0],
  PRIMARY: [1, 6],
  JUNIOR_SECONDARY: [7, 9],
  SENIOR_SECONDARY: [10, 12],
  SECONDARY_VOCATIONAL: [10, 12],
  SPECIAL_EDUCATION: [1, 9],
  HIGHER_EDUCATION: [13, 16],
};

const SUBJECTS = [
  '语文',
  '数学',
  '英语',
  '物理',
  '化学',
  '生物',
  '历史',
  '地理',
  '道德与法治',
  '体育与健康',
  '音乐',
  '美术',
  '信息科技',
];
const QUALIFICATION: Readonly<Record<WorldSchool['type'], string>> = {
  KINDERGARTEN: '幼儿园教师资格',
  PRIMARY: '小学教师资格',
  JUNIOR_SECONDARY: '初级中学教师资格',
  SENIOR_SECONDARY: '高级中学教师资格',
  SECONDARY_VOCATIONAL: '中等职业学校教师资格',
  SPECIAL_EDUCATION: '小学教师资格',
  HIGHER_EDUCATION: '高等学校教师资格',
};
const SCHOOL_TITLES = ['三级教师', '二级教师', '一级教师', '一级教师', '高级教师', '正高级教师'];
const UNIVERSITY_TITLES = ['助教', '讲师', '讲师', '副教授', '教授'];

/**
 * Bump when the generator writes other rows. 2: the school-construction projects of the world's
 * investment register. 3: roster keys.
 */
const GENERATOR_VERSION = '3';

const HEX_DIGITS = '0123456789abcdef';

/**
 * Roster keys — the order of a school's students and of its teachers — drawn at random, unique
 * within the school, from a stream of their own: never derived from an ID or staff number, and
 * drawing them shifts no other value of the seed.
 */
function rosterKeys(random: SeededRandom): () => string {
  const used = new Set<string>();
  return () => {
    let key: string;
    do key = random.chars(HEX_DIGITS, 16);
    while (used.has(key));
    used.add(key);
    return key;
  };
}

export function educationSeedPlan(size: SeedSize): SeedPlan {
  return {
    agency: 'education',
    size,
    ddl: EDUCATION_DDL,
    generatorVersion: GENERATOR_VERSION,
    fill: (db, progress) => fillEducation(db, size, progress),
  };
}

function fillEducation(db: AgencyDatabase, size: SeedSize, progress?: SeedProgress): Record<string, number> {
  const world = buildWorld(size);
  const random = SeededRandom.forStream(WORLD_SEED, `education:${size}`);
  const schools = new TableWriter(
    db,
    'schools',
    [
      'code',
      'uscc',
      'name',
      'type',
      'ownership',
      'district_code',
      'founded_year',
      'address',
      'enrolment',
      'class_count',
      'teacher_count',
    ],
    progress,
  );
  const students = new TableWriter(
    db,
    'students',
    [
      'student_number',
      'school_code',
      'name',
      'id_number',
      'gender',
      'birth_date',
      'grade',
      'guardian_name',
      'guardian_phone',
      'health_status',
      'financial_aid',
      'migrant',
      'roster_key',
    ],
    progress,
  );
  const teachers = new TableWriter(
    db,
    'teachers',
    ['staff_number', 'school_code', 'name', 'subject', 'qualification', 'title', 'roster_key'],
    progress,
  );
  const rosterKey = rosterKeys(SeededRandom.forStream(WORLD_SEED, `education:${size}:roster-keys`));
  const usedIds = new Set<string>();
  const [fewest, most] = STUDENTS_PER_SCHOOL[size];

  for (const school of world.schools) {
    const enrolment = random.int(fewest, most) * (school.type === 'HIGHER_EDUCATION' ? 2 : 1);
    const teacherCount = Math.max(3, Math.round(enrolment / random.int(8, 14)));
    schools.write({
      code: school.code,
      uscc: school.uscc,
      name: school.name,
      type: school.type,
      ownership: school.ownership,
      district_code: school.districtCode,
      founded_year: school.foundedYear,
      address: school.address,
      enrolment,
      class_count: Math.max(1, Math.ceil(enrolment / 40)),
      teacher_count: teacherCount,
    });

    const [lowGrade, highGrade] = GRADES[school.type];
    for (let i = 0; i < enrolment; i++) {
      const grade = random.int(lowGrade, highGrade);
      const migrant = random.chance(0.18);
      const birthYear = SCHOOL_YEAR - 6 - grade + (grade === 0 ? random.int(1, 3) : 0) - (random.chance(0.25) ? 1 : 0);
      const birthDate = random.date(`${birthYear}-01-01`, `${birthYear}-12-31`);
      let addressCode = migrant
        ? random.pick(MIGRANT_ADDRESS_CODES)
        : random.chance(0.8)
          ? school.districtCode
          : random.pick(world.districts.filter((d) => d.kind === 'DISTRICT')).code;
      // Children born before the 2010 merger may carry the retired Chongwen/Xuanwu codes.
      if (birthYear < 2010 && (addressCode === '110101' || addressCode === '110102') && random.chance(0.5)) {
        addressCode = addressCode === '110101' ? '110103' : '110104';
      }
      let idNumber: string;
      do {
        idNumber = buildResidentId({ addressCode, birthDate, sequence: random.int(1, 999) });
      } while (usedIds.has(idNumber));
      usedIds.add(idNumber);
      const gender = Number(idNumber[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
      const familyName = surname(random);
      const name = personName(random, gender, familyName);
      // Most guardians on record are a parent: a father shares the child's surname.
      const guardianName = random.chance(0.55) ? personName(random, 'MALE', familyName) : personName(random, 'FEMALE');
      students.write({
        student_number: 'G' + idNumber,
        school_code: school.code,
        name,
        id_number: idNumber,
        gender,
        birth_date: birthDate,
        grade,
        guardian_name: guardianName,
        guardian_phone: mobileNumber(random),
        health_status: random.weighted([
          ['HEALTHY', 88],
          ['FOLLOW_UP', 9],
          ['CHRONIC_CONDITION', 3],
        ] as const),
        financial_aid: random.chance(0.07) ? 1 : 0,
        migrant: migrant ? 1 : 0,
        roster_key: rosterKey(),
      });
    }

    for (let i = 1; i <= teacherCount; i++) {
      const gender = random.chance(0.7) ? 'FEMALE' : 'MALE';
      teachers.write({
        staff_number: `T${school.code}${String(i).padStart(4, '0')}`,
        school_code: school.code,
        name: personName(random, gender),
        subject:
          school.type === 'HIGHER_EDUCATION'
            ? random.pick(['计算机科学', '机械工程', '经济学', '化学', '数学', '外国语言文学', '材料科学'])
            : random.pick(SUBJECTS),
        qualification: QUALIFICATION[school.type],
        title: random.pick(school.type === 'HIGHER_EDUCATION' ? UNIVERSITY_TITLES : SCHOOL_TITLES),
        roster_key: rosterKey(),
      });
    }
  }

  const construction = new TableWriter(
    db,
    'school_construction',
    ['project_code', 'school_code', 'places_added', 'planned_opening_year'],
    progress,
  );
  // A stream of its own, so these draws never shift the schools', students' and teachers'.
  const planning = SeededRandom.forStream(WORLD_SEED, `education:${size}:school-construction`);
  for (const project of world.schoolConstructionProjects) {
    construction.write({
      project_code: project.code,
      school_code: project.schoolCode,
      // Places come in whole classes of 45.
      places_added: project.addsPlaces ? planning.int(4, 30) * 45 : 0,
      // Works take one to three years from registration; new places open with a school year.
      planned_opening_year: project.year + planning.int(1, 3),
    });
  }
  return {
    schools: schools.rows,
    students: students.rows,
    teachers: teachers.rows,
    school_construction: construction.rows,
  };
}

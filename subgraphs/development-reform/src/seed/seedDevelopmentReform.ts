import {
  BEIJING_DISTRICTS,
  buildResidentId,
  buildWorld,
  DEVELOPMENT_ZONE,
  INVESTMENT_PROJECT_YEARS,
  mobileNumber,
  personName,
  SeededRandom,
  TableWriter,
  WORLD_SEED,
  type AgencyDatabase,
  type DistrictRecord,
  type SeedPlan,
  type SeedProgress,
  type SeedSize,
  type WorldOrganization,
  type WorldSchool,
  type WorldSchoolConstructionProject,
} from '@cdo-hub/subgraph-kit';
import { DEVELOPMENT_REFORM_DDL } from '../database/schema';
import type { ApprovalMode, InvestmentProjectRow, ProjectStatus } from '../model';
import { priceObservations } from './priceObservations';
import { dayNumber, isoDate, round2 } from './seedDays';

/**
 * Price observations seeded per size. Investment projects follow the world's register (100k+ at
 * bench, so paging and batching are measured at scale).
 */
const PRICE_OBSERVATIONS: Readonly<Record<SeedSize, number>> = {
  small: 600,
  bench: 60_000,
};

/** The day the seed describes (as a day number): statuses follow from a project's dates relative to it. */
const AS_OF_DAY = dayNumber('2026-06-30');
const [FIRST_PROJECT_YEAR, LAST_PROJECT_YEAR] = INVESTMENT_PROJECT_YEARS;

const CONTACT_BIRTH_DAYS = [dayNumber('1965-01-01'), dayNumber('1998-12-31')] as const;

/** Of the projects that build no school, the share owned by universities and research institutes. */
const RESEARCH_PROJECT_SHARE = 0.055;

/** Total investment bounds in 10,000 yuan. */
const MIN_INVESTMENT = 200;
const MAX_INVESTMENT = 500_000;

/**
 * The two middle fields of a project code: the guiding department of the project's sector, and
 * the project type, which follows the approval procedure.
 */
const PROJECT_TYPE: Readonly<Record<ApprovalMode, string>> = { APPROVAL: '01', CONFIRMATION: '02', FILING: '03' };

interface SectorPlan {
  department: string;
  works: readonly string[];
}

/** Per registration industry: the guiding department and the kinds of project such owners build. */
const SECTORS: Readonly<Record<string, SectorPlan>> = {
  软件和信息技术服务业: {
    department: '02',
    works: ['研发中心建设项目', '数据中心建设项目', '总部基地建设项目', '云计算平台建设项目'],
  },
  科技推广和应用服务业: {
    department: '03',
    works: ['科技成果转化基地建设项目', '研发中心建设项目', '中试基地建设项目'],
  },
  医药制造业: { department: '02', works: ['生物医药产业化基地建设项目', 'GMP车间改造项目', '创新药研发中心建设项目'] },
  '计算机、通信和其他电子设备制造业': {
    department: '02',
    works: ['集成电路封装测试线建设项目', '智能终端生产线技术改造项目', '研发中心建设项目'],
  },
  专用设备制造业: { department: '02', works: ['智能制造产业化项目', '生产线技术改造项目', '高端装备生产基地建设项目'] },
  新材料: { department: '02', works: ['新材料中试基地建设项目', '生产线扩建项目'] },
  房屋建筑业: { department: '05', works: ['保障性租赁住房项目', '商品住宅项目', '综合办公楼建设项目'] },
  批发业: { department: '06', works: ['物流配送中心建设项目', '冷链仓储设施建设项目'] },
  生态保护和环境治理业: {
    department: '07',
    works: ['污水处理厂提标改造工程', '生活垃圾资源化利用项目', '生态修复工程'],
  },
  文化艺术业: { department: '08', works: ['文化产业园建设项目', '演艺中心改造项目'] },
  道路运输业: { department: '09', works: ['物流园区建设项目', '新能源汽车充换电站建设项目'] },
  '电力、热力生产和供应业': { department: '01', works: ['分布式光伏发电项目', '储能电站建设项目', '供热管网改造工程'] },
  研究和试验发展: { department: '03', works: ['科研实验楼建设项目', '重点实验室建设项目', '大型科研仪器购置项目'] },
  高等教育: { department: '04', works: ['科研实验楼建设项目', '重点实验室建设项目', '学生公寓建设项目'] },
};
const PHASES = ['', '（二期）', '（三期）', '（四期）'];

/** Address codes of contact persons' ID numbers: Beijing districts (the zone issues none), or elsewhere. */
const BIRTH_DISTRICT_CODES = BEIJING_DISTRICTS.filter((d) => d.code !== DEVELOPMENT_ZONE).map((d) => d.code);
const OUTSIDE_ADDRESS_CODES = [
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

/**
 * Bump when the generator writes other rows. 2: school-construction projects come from the
 * world's register instead of this seed's own draws.
 */
const GENERATOR_VERSION = '2';

export function developmentReformSeedPlan(size: SeedSize): SeedPlan {
  return {
    agency: 'development-reform',
    size,
    ddl: DEVELOPMENT_REFORM_DDL,
    generatorVersion: GENERATOR_VERSION,
    fill: (db, progress) => fillDevelopmentReform(db, size, progress),
  };
}

function fillDevelopmentReform(db: AgencyDatabase, size: SeedSize, progress?: SeedProgress): Record<string, number> {
  const world = buildWorld(size);
  const random = SeededRandom.forStream(WORLD_SEED, `development-reform:${size}`);
  const districts = new TableWriter(db, 'districts', ['code', 'name', 'name_en', 'kind'], progress);
  const organizations = new TableWriter(
    db,
    'organizations',
    ['uscc', 'name', 'kind', 'district_code', 'registered_on', 'industry', 'legal_representative'],
    progress,
  );
  const projects = new TableWriter(
    db,
    'investment_projects',
    [
      'code',
      'name',
      'approval_mode',
      'status',
      'total_investment',
      'industry',
      'district_code',
      'owner_uscc',
      'school_code',
      'start_date',
      'planned_completion_date',
      'feasibility_summary',
      'budget_detail',
      'contact_name',
      'contact_id_number',
      'contact_mobile',
      'cost_audit_amount',
    ],
    progress,
  );
  const prices = new TableWriter(
    db,
    'price_observations',
    ['id', 'commodity', 'unit', 'monitoring_point', 'district_code', 'price', 'observed_on'],
    progress,
  );

  for (const district of BEIJING_DISTRICTS) {
    districts.write({ code: district.code, name: district.name, name_en: district.nameEn, kind: district.kind });
  }
  for (const organization of world.organizations) {
    organizations.write({
      uscc: organization.uscc,
      name: organization.name,
      kind: organization.kind,
      district_code: organization.districtCode,
      registered_on: organization.registeredOn,
      industry: organization.industry,
      legal_representative: personName(random, random.chance(0.7) ? 'MALE' : 'FEMALE'),
    });
  }

  const bureauOf = new Map(world.educationBureaus.map((bureau) => [bureau.districtCode, bureau]));
  const schoolByCode = new Map(world.schools.map((school) => [school.code, school]));
  const districtByCode = new Map(BEIJING_DISTRICTS.map((d) => [d.code, d]));
  for (const planned of world.schoolConstructionProjects) {
    projects.write(
      projectRow(
        random,
        planned.code,
        schoolProject(random, planned, schoolByCode.get(planned.schoolCode)!, bureauOf, districtByCode),
      ),
    );
  }

  // The school-construction projects hold their serials already; every other project takes the
  // next free one, rising with gaps as other regions draw from the same national sequence.
  const reservedSerials = new Set(world.schoolConstructionProjects.map((planned) => Number(planned.code.slice(-6))));
  const researchOwners = [...world.universities, ...world.researchInstitutes];
  const worksByOwner = new Map<string, number>();
  let serial = 0;
  for (let i = world.schoolConstructionProjects.length; i < world.investmentProjectCount; i++) {
    do serial += random.int(1, 8);
    while (reservedSerials.has(serial));
    const owner = random.chance(RESEARCH_PROJECT_SHARE) ? random.pick(researchOwners) : random.pick(world.enterprises);
    const basics = ownedProject(random, owner, worksByOwner, districtByCode);
    projects.write(
      projectRow(
        random,
        `${basics.year}-${basics.districtCode}-${basics.department}-${PROJECT_TYPE[basics.approvalMode]}-${String(serial).padStart(6, '0')}`,
        basics,
      ),
    );
  }

  for (const observation of priceObservations(random, PRICE_OBSERVATIONS[size])) prices.write(observation);

  return {
    districts: districts.rows,
    organizations: organizations.rows,
    investment_projects: projects.rows,
    price_observations: prices.rows,
  };
}

/** What sets one project apart; `projectRow` adds what every project has (dates, budget, contact). */
interface ProjectBasics {
  /** Year of registration, the code's first field. */
  year: number;
  name: string;
  approvalMode: ApprovalMode;
  totalInvestment: number;
  industry: string;
  districtCode: string;
  ownerUscc: string;
  schoolCode: string | null;
  feasibilitySummary: string;
  funding: string;
  enterprise: boolean;
}

function schoolProject(
  random: SeededRandom,
  planned: WorldSchoolConstructionProject,
  school: WorldSchool,
  bureauOf: ReadonlyMap<string, WorldOrganization>,
  districtByCode: ReadonlyMap<string, DistrictRecord>,
): ProjectBasics {
  const work = planned.works;
  const totalInvestment = investment(random, 300, 60_000, 1.4);
  // Construction costs roughly 3,000-7,000 yuan per square metre.
  const area = Math.round(totalInvestment * (1.5 + random.float() * 2));
  return {
    year: planned.year,
    name: school.name.replace(/^北京市/, '') + work,
    // Government-funded construction goes through 审批.
    approvalMode: 'APPROVAL',
    totalInvestment,
    industry: '教育',
    districtCode: school.districtCode,
    ownerUscc: bureauOf.get(school.districtCode)!.uscc,
    schoolCode: school.code,
    // How many places the works add is the Education Commission's record (InvestmentProject.schoolPlacesAdded).
    feasibilitySummary:
      `项目拟在${school.name}现有校园内实施${work.replace(/工程$/, '')}，总建筑面积约${area}平方米` +
      (planned.addsPlaces
        ? `，建成后新增学位，缓解${districtByCode.get(school.districtCode)!.name}学位供给压力。`
        : '，改善办学条件和校园安全水平。'),
    funding: random.chance(0.6)
      ? '区级财政资金全额安排'
      : `市级财政资金${random.int(3, 7) * 10}%，其余由区级财政资金安排`,
    enterprise: false,
  };
}

/** A project of a firm or research organisation; its code is built here, so it adds its guiding department. */
interface OwnedProjectBasics extends ProjectBasics {
  /** Guiding department, the third field of the project code. */
  department: string;
}

function ownedProject(
  random: SeededRandom,
  owner: WorldOrganization,
  worksByOwner: Map<string, number>,
  districtByCode: ReadonlyMap<string, DistrictRecord>,
): OwnedProjectBasics {
  const sector = SECTORS[owner.industry];
  if (!sector) throw new Error(`no investment sector for industry "${owner.industry}"`);
  const work = random.pick(sector.works);
  // A second project of the same kind by the same owner is the next phase of the first.
  const phase = worksByOwner.get(owner.uscc + work) ?? 0;
  worksByOwner.set(owner.uscc + work, phase + 1);
  // Most firms build where they are registered; the rest expand into the outer districts or the zone.
  const districtCode = random.chance(0.75) ? owner.districtCode : random.pick(BEIJING_DISTRICTS).code;
  const place = districtByCode.get(districtCode)!.name;
  const enterprise = owner.kind === 'ENTERPRISE';
  const totalInvestment = investment(random, MIN_INVESTMENT, MAX_INVESTMENT, 2.2);
  const area = Math.round(totalInvestment * (1.2 + random.float() * 1.8));
  let funding: string;
  if (!enterprise) funding = `中央预算内投资${random.int(1, 5) * 10}%，其余由市级财政资金和单位自有资金安排`;
  else {
    const own = random.int(3, 10) * 10;
    funding = own === 100 ? '企业自筹资金全额安排' : `企业自筹资金${own}%，银行贷款${100 - own}%`;
  }
  return {
    year: random.int(FIRST_PROJECT_YEAR, LAST_PROJECT_YEAR),
    name: owner.name + work.replace(/(项目|工程)$/, `${PHASES[Math.min(phase, PHASES.length - 1)]}$1`),
    // Public institutions spend government money (审批); firms file, or seek confirmation for catalogued projects.
    approvalMode: enterprise
      ? random.weighted([
          ['FILING', 85],
          ['CONFIRMATION', 12],
          ['APPROVAL', 3],
        ] as const)
      : 'APPROVAL',
    department: sector.department,
    totalInvestment,
    industry: owner.industry,
    districtCode,
    ownerUscc: owner.uscc,
    schoolCode: null,
    feasibilitySummary: enterprise
      ? `项目位于${place}，总建筑面积约${area}平方米。经测算，项目达产后年均营业收入约${Math.round(totalInvestment * (0.3 + random.float()))}万元，` +
        `财务内部收益率${(6 + random.float() * 14).toFixed(1)}%，静态投资回收期${(3 + random.float() * 7).toFixed(1)}年，具备财务可行性。`
      : `项目位于${place}，总建筑面积约${area}平方米，建成后将提升${owner.name}的科研支撑能力，社会效益显著。`,
    funding,
    enterprise,
  };
}

/**
 * The full row. Written out column by column rather than spread together: the bench seed builds
 * 100k+ of these, and spread objects cost V8 several times more to create.
 */
function projectRow(random: SeededRandom, code: string, basics: ProjectBasics): InvestmentProjectRow {
  const year = basics.year;
  const registered = random.int(
    dayNumber(`${year}-01-01`),
    year === LAST_PROJECT_YEAR ? AS_OF_DAY : dayNumber(`${year}-12-31`),
  );
  const plannedStart = registered + random.int(30, 180);
  const plannedCompletion = plannedStart + random.int(6, 48) * 30;
  let status: ProjectStatus;
  if (plannedStart > AS_OF_DAY) status = random.chance(0.4) ? 'PLANNED' : 'APPROVED';
  else if (random.chance(0.04)) status = 'APPROVED';
  else if (plannedCompletion <= AS_OF_DAY)
    status = random.weighted([
      ['COMPLETED', 85],
      ['UNDER_CONSTRUCTION', 10],
      ['SUSPENDED', 5],
    ] as const);
  else status = random.chance(0.93) ? 'UNDER_CONSTRUCTION' : 'SUSPENDED';
  const started = status === 'UNDER_CONSTRUCTION' || status === 'COMPLETED' || status === 'SUSPENDED';

  const gender = random.chance(0.55) ? 'MALE' : 'FEMALE';
  const addressCode = random.chance(0.7) ? random.pick(BIRTH_DISTRICT_CODES) : random.pick(OUTSIDE_ADDRESS_CODES);
  // The 17th digit is odd for men and even for women.
  const sequence = gender === 'MALE' ? random.int(0, 499) * 2 + 1 : random.int(1, 499) * 2;
  const birthDate = isoDate(random.int(CONTACT_BIRTH_DAYS[0], CONTACT_BIRTH_DAYS[1]));

  const total = basics.totalInvestment;
  const works = round2(total * (0.72 + random.float() * 0.13));
  const other = round2(total * (0.08 + random.float() * 0.07));
  return {
    code,
    name: basics.name,
    approval_mode: basics.approvalMode,
    status,
    total_investment: total,
    industry: basics.industry,
    district_code: basics.districtCode,
    owner_uscc: basics.ownerUscc,
    school_code: basics.schoolCode,
    start_date: started ? isoDate(plannedStart) : null,
    planned_completion_date: status === 'PLANNED' ? null : isoDate(plannedCompletion),
    feasibility_summary: basics.feasibilitySummary,
    budget_detail: `工程费用${works.toFixed(2)}万元，工程建设其他费用${other.toFixed(2)}万元，预备费${round2(total - works - other).toFixed(2)}万元；资金来源：${basics.funding}。`,
    contact_name: personName(random, gender),
    contact_id_number: buildResidentId({ addressCode, birthDate, sequence }),
    contact_mobile: mobileNumber(random),
    // Only enterprise projects that have been built carry a cost audit, and not all of them yet.
    cost_audit_amount:
      basics.enterprise && status === 'COMPLETED' && random.chance(0.7)
        ? round2(total * (0.86 + random.float() * 0.19))
        : null,
  };
}

/**
 * Total investment in 10,000 yuan between `min` and `max`, log-scaled and skewed towards the
 * small end by `skew` (> 1): most projects are modest, a few are very large.
 */
function investment(random: SeededRandom, min: number, max: number, skew: number): number {
  return round2(min * Math.pow(max / min, Math.pow(random.float(), skew)));
}

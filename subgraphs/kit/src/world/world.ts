import { BEIJING_DISTRICTS, DEVELOPMENT_ZONE } from '../districts';
import { buildUscc, USCC_ALPHABET } from '../identifiers';
import { SeededRandom } from '../random';
import {
  INVESTMENT_PROJECT_YEARS,
  SCHOOL_TYPE_PREFIX,
  type SchoolType,
  type SchoolWorks,
  SCHOOL_WORKS,
  type SeedSize,
  type World,
  type WorldOrganization,
  type WorldSchool,
  type WorldSchoolConstructionProject,
} from './worldModel';

/**
 * The synthetic city every agency's seed draws from. Each subgraph seeds its own database, but all
 * of them build this same world from the same seed, so a USCC or school code one agency records is
 * the one the others record too — exactly as in a real city, where the keys come from national
 * registries and each agency keeps its own facts about them.
 */

const WORKS_ADDING_PLACES: ReadonlySet<SchoolWorks> = new Set(['教学楼改扩建工程', '综合楼新建工程']);

interface WorldShape {
  enterprises: number;
  schools: number;
  universities: number;
  researchInstitutes: number;
  investmentProjects: number;
}

const SHAPES: Readonly<Record<SeedSize, WorldShape>> = {
  small: { enterprises: 400, schools: 90, universities: 6, researchInstitutes: 10, investmentProjects: 500 },
  bench: { enterprises: 25_000, schools: 900, universities: 40, researchInstitutes: 120, investmentProjects: 112_000 },
};

/** Share of the register's projects that build or renovate a school. */
const SCHOOL_CONSTRUCTION_SHARE = 0.08;
const EDUCATION_DEPARTMENT = '04';
const GOVERNMENT_FUNDED_TYPE = '01';

export const WORLD_SEED = 20_261_127;

const TRADE_NAMES =
  '华中京北科信达恒泰瑞安康联创新远博智云天宏鼎盛通源正和美德嘉兴启明星光辉煌海蓝金石银河长城燕山永定潮白'.split('');
const INDUSTRIES: readonly (readonly [string, string, number])[] = [
  ['软件和信息技术服务业', '信息技术', 18],
  ['科技推广和应用服务业', '科技', 14],
  ['医药制造业', '生物医药', 8],
  ['计算机、通信和其他电子设备制造业', '电子', 9],
  ['专用设备制造业', '智能装备', 7],
  ['新材料', '新材料', 5],
  ['房屋建筑业', '建设工程', 10],
  ['批发业', '商贸', 10],
  ['生态保护和环境治理业', '环保科技', 5],
  ['文化艺术业', '文化传媒', 6],
  ['道路运输业', '物流', 4],
  ['电力、热力生产和供应业', '能源', 4],
];
const STREETS =
  '中关村大街,学院路,知春路,长安街,建国路,朝阳北路,复兴路,西直门外大街,丰台路,京开路,通惠河北路,新华大街,府前街,荣华南路,科创街,顺义大街,昌平路,黄村西大街,青春路,滨河路'.split(
    ',',
  );
const UNIVERSITY_WORDS =
  '理工,信息科技,工商,建筑,林业,交通,师范,农学,中医药,外国语,化工,电子科技,联合,城市,石油,体育,传媒,印刷,服装,物资'.split(
    ',',
  );
const INSTITUTE_FIELDS =
  '人工智能,集成电路,生命科学,新能源,先进材料,量子信息,空天技术,智能网联汽车,区块链,环境工程,城市规划,农业科学'.split(
    ',',
  );

const cache = new Map<SeedSize, World>();

/** The world for a seed size. Pure and memoised: same size, same world, on every machine. */
export function buildWorld(size: SeedSize): World {
  const cached = cache.get(size);
  if (cached) return cached;
  const world = generate(size, SHAPES[size]);
  cache.set(size, world);
  return world;
}

function generate(size: SeedSize, shape: WorldShape): World {
  const random = SeededRandom.forStream(WORLD_SEED, `world:${size}`);
  const usedUscc = new Set<string>();
  const districts = BEIJING_DISTRICTS;
  const ordinaryDistricts = districts.filter((d) => d.kind === 'DISTRICT');

  // Firms cluster where the economy is: Haidian, Chaoyang and the development zone lead.
  const firmWeights = districts.map(
    (d) =>
      [
        d.code,
        {
          '110108': 6,
          '110105': 5,
          [DEVELOPMENT_ZONE]: 4,
          '110102': 3,
          '110101': 2,
          '110106': 2,
          '110114': 2,
          '110115': 2,
        }[d.code] ?? 1,
      ] as const,
  );

  function newUscc(registrationType: string, registryCode: string): string {
    for (;;) {
      const body =
        registrationType.startsWith('9') && random.chance(0.7)
          ? 'MA' + random.chars(USCC_ALPHABET, 6)
          : random.chars('0123456789', 8);
      const uscc = buildUscc({ registrationType, registryCode, organizationCodeBody: body });
      if (!usedUscc.has(uscc)) {
        usedUscc.add(uscc);
        return uscc;
      }
    }
  }

  const usedNames = new Set<string>();
  function uniqueName(make: () => string): string {
    for (let attempt = 0; ; attempt++) {
      const name = make();
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
      if (attempt > 20) {
        const numbered = `${name}（${usedNames.size}）`;
        usedNames.add(numbered);
        return numbered;
      }
    }
  }

  const enterprises: WorldOrganization[] = [];
  for (let i = 0; i < shape.enterprises; i++) {
    const districtCode = random.weighted(firmWeights);
    const [industry, word] = random.weighted(
      INDUSTRIES.map(([full, short, weight]) => [[full, short] as const, weight] as const),
    );
    const name = uniqueName(
      () => `北京${random.chars(TRADE_NAMES.join(''), 2)}${word}${random.chance(0.15) ? '股份' : ''}有限公司`,
    );
    enterprises.push({
      uscc: newUscc('91', districtCode),
      name,
      kind: 'ENTERPRISE',
      role: 'ENTERPRISE',
      districtCode,
      registeredOn: random.date('1995-01-01', '2025-06-30'),
      industry,
    });
  }

  const educationBureaus: WorldOrganization[] = ordinaryDistricts.map((d) => ({
    uscc: newUscc('11', d.code),
    name: `北京市${d.name}教育委员会`,
    kind: 'GOVERNMENT_ORGAN',
    role: 'EDUCATION_BUREAU',
    districtCode: d.code,
    registeredOn: '2016-01-01',
    industry: '公共管理和社会组织',
  }));

  const schools: WorldSchool[] = [];
  const schoolOrgs: WorldOrganization[] = [];
  const serialByType = new Map<string, number>();
  function schoolCode(type: SchoolType): string {
    const prefix = SCHOOL_TYPE_PREFIX[type];
    const serial = (serialByType.get(prefix) ?? 0) + random.int(1, 37);
    serialByType.set(prefix, serial);
    return `${prefix}11${String(serial).padStart(6, '0')}`;
  }
  const schoolTypes: readonly (readonly [SchoolType, number])[] = [
    ['PRIMARY', 40],
    ['JUNIOR_SECONDARY', 18],
    ['SENIOR_SECONDARY', 14],
    ['KINDERGARTEN', 16],
    ['SECONDARY_VOCATIONAL', 6],
    ['SPECIAL_EDUCATION', 2],
  ];
  const typeSuffix: Record<SchoolType, string> = {
    KINDERGARTEN: '幼儿园',
    PRIMARY: '小学',
    JUNIOR_SECONDARY: '初级中学',
    SENIOR_SECONDARY: '高级中学',
    SECONDARY_VOCATIONAL: '职业学校',
    HIGHER_EDUCATION: '大学',
    SPECIAL_EDUCATION: '特殊教育学校',
  };
  const ordinal = (n: number) => {
    const digits = '〇一二三四五六七八九';
    if (n < 10) return digits[n]!;
    if (n < 20) return '十' + (n % 10 ? digits[n % 10] : '');
    return digits[Math.floor(n / 10) % 10]! + '十' + (n % 10 ? digits[n % 10] : '');
  };
  const perDistrictSerial = new Map<string, number>();

  for (let i = 0; i < shape.schools; i++) {
    const district = random.pick(ordinaryDistricts);
    const type = random.weighted(schoolTypes);
    const ownership = type !== 'SPECIAL_EDUCATION' && random.chance(0.12) ? 'PRIVATE' : 'PUBLIC';
    const n = (perDistrictSerial.get(district.code + type) ?? 0) + 1;
    perDistrictSerial.set(district.code + type, n);
    const name = uniqueName(() =>
      ownership === 'PRIVATE'
        ? `北京市${district.name}${random.chars(TRADE_NAMES.join(''), 2)}${typeSuffix[type]}`
        : `北京市${district.name}第${ordinal(n % 100)}${typeSuffix[type]}`,
    );
    const uscc = newUscc(ownership === 'PUBLIC' ? '12' : '52', district.code);
    schools.push({
      code: schoolCode(type),
      uscc,
      name,
      type,
      ownership,
      districtCode: district.code,
      foundedYear: random.int(1950, 2020),
      address: `北京市${district.name}${random.pick(STREETS)}${random.int(1, 300)}号`,
    });
    schoolOrgs.push({
      uscc,
      name,
      kind: ownership === 'PUBLIC' ? 'PUBLIC_INSTITUTION' : 'PRIVATE_NON_ENTERPRISE',
      role: 'SCHOOL',
      districtCode: district.code,
      registeredOn: random.date('1996-01-01', '2020-12-31'),
      industry: '教育',
    });
  }

  const universities: WorldOrganization[] = [];
  for (let i = 0; i < shape.universities; i++) {
    const district = random.weighted(
      firmWeights
        .filter(([code]) => code !== DEVELOPMENT_ZONE)
        .map(([code, w]) => [districts.find((d) => d.code === code)!, w] as const),
    );
    const name = uniqueName(() => `北京${random.pick(UNIVERSITY_WORDS)}大学`);
    const uscc = newUscc('12', district.code);
    universities.push({
      uscc,
      name,
      kind: 'PUBLIC_INSTITUTION',
      role: 'UNIVERSITY',
      districtCode: district.code,
      registeredOn: random.date('1996-01-01', '2005-12-31'),
      industry: '高等教育',
    });
    schools.push({
      code: schoolCode('HIGHER_EDUCATION'),
      uscc,
      name,
      type: 'HIGHER_EDUCATION',
      ownership: 'PUBLIC',
      districtCode: district.code,
      foundedYear: random.int(1950, 2000),
      address: `北京市${district.name}${random.pick(STREETS)}${random.int(1, 300)}号`,
    });
  }

  const researchInstitutes: WorldOrganization[] = [];
  for (let i = 0; i < shape.researchInstitutes; i++) {
    const districtCode = random.weighted(firmWeights);
    const name = uniqueName(
      () => `北京${random.pick(INSTITUTE_FIELDS)}${random.pick(['研究院', '研究所', '创新中心'])}`,
    );
    researchInstitutes.push({
      uscc: newUscc('12', districtCode),
      name,
      kind: 'PUBLIC_INSTITUTION',
      role: 'RESEARCH_INSTITUTE',
      districtCode,
      registeredOn: random.date('1998-01-01', '2022-12-31'),
      industry: '研究和试验发展',
    });
  }

  // A stream of its own, so the register's draws never shift the organisations' and schools'.
  const registerRandom = SeededRandom.forStream(WORLD_SEED, `world:${size}:investment-register`);
  const schoolConstructionProjects = planSchoolConstruction(
    registerRandom,
    shape.investmentProjects,
    schools,
    educationBureaus,
  );

  return {
    size,
    seed: WORLD_SEED,
    districts,
    organizations: [...enterprises, ...educationBureaus, ...schoolOrgs, ...universities, ...researchInstitutes],
    enterprises,
    schools,
    universities,
    researchInstitutes,
    educationBureaus,
    investmentProjectCount: shape.investmentProjects,
    schoolConstructionProjects,
  };
}

/**
 * Walks the register's serials (rising with gaps, as other regions draw from the same national
 * sequence) and makes about one slot in twelve a school-construction project. The other slots'
 * serials are left to the Development and Reform Commission's seed, which skips these.
 */
function planSchoolConstruction(
  random: SeededRandom,
  registerSize: number,
  schools: readonly WorldSchool[],
  educationBureaus: readonly WorldOrganization[],
): WorldSchoolConstructionProject[] {
  const bureauDistricts = new Set(educationBureaus.map((bureau) => bureau.districtCode));
  // Education bureaus build for the schools they run: public schools below university level.
  const buildable = schools.filter(
    (school) =>
      school.ownership === 'PUBLIC' && school.type !== 'HIGHER_EDUCATION' && bureauDistricts.has(school.districtCode),
  );
  const [firstYear, lastYear] = INVESTMENT_PROJECT_YEARS;
  const projects: WorldSchoolConstructionProject[] = [];
  let serial = 0;
  for (let slot = 0; slot < registerSize; slot++) {
    serial += random.int(1, 8);
    if (!random.chance(SCHOOL_CONSTRUCTION_SHARE)) continue;
    const school = random.pick(buildable);
    const year = random.int(firstYear, lastYear);
    const works = random.pick(SCHOOL_WORKS);
    projects.push({
      code: `${year}-${school.districtCode}-${EDUCATION_DEPARTMENT}-${GOVERNMENT_FUNDED_TYPE}-${String(serial).padStart(6, '0')}`,
      schoolCode: school.code,
      districtCode: school.districtCode,
      year,
      works,
      addsPlaces: WORKS_ADDING_PLACES.has(works),
    });
  }
  return projects;
}

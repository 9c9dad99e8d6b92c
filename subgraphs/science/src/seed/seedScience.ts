import {
  buildWorld,
  SeededRandom,
  TableWriter,
  usccRegistryCode,
  WORLD_SEED,
  type AgencyDatabase,
  type SeedPlan,
  type SeedProgress,
  type SeedSize,
  type WorldOrganization,
} from '@cdo-hub/subgraph-kit';
import { SCIENCE_DDL } from '../database/schema';
import type { ContractType, KeyLabLevel } from '../model';
import { InvestigatorPool } from './investigators';

interface ScienceShape {
  researchProjects: number;
  keyLabs: number;
  technologyContracts: number;
}

/** Certificates are not sized here: they follow from the world's enterprises. */
const SHAPES: Readonly<Record<SeedSize, ScienceShape>> = {
  small: { researchProjects: 150, keyLabs: 20, technologyContracts: 800 },
  bench: { researchProjects: 20_000, keyLabs: 300, technologyContracts: 112_000 },
};

/** The day the seed describes (the world's seed date): nothing is issued, started or signed later. */
export const SCIENCE_SEED_DATE = '2026-11-27';
const FIRST_YEAR = 2019;
const LAST_YEAR = Number(SCIENCE_SEED_DATE.slice(0, 4));

// Roughly 35% of firms end up certified: 45% of those in technology industries, 12% of the rest.
const CERTIFICATION_CHANCE_TECH = 0.45;
const CERTIFICATION_CHANCE_OTHER = 0.12;
const RENEWAL_CHANCE = 0.7;

/** The State-supported high-technology fields a firm of each world industry is typically certified in. */
const FIELDS_BY_INDUSTRY: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  软件和信息技术服务业: [
    ['电子信息', 8],
    ['高技术服务', 2],
  ],
  科技推广和应用服务业: [
    ['高技术服务', 6],
    ['电子信息', 2],
    ['资源与环境', 1],
  ],
  医药制造业: [['生物与新医药', 1]],
  '计算机、通信和其他电子设备制造业': [
    ['电子信息', 7],
    ['先进制造与自动化', 2],
    ['航空航天', 1],
  ],
  专用设备制造业: [
    ['先进制造与自动化', 6],
    ['航空航天', 2],
    ['新能源与节能', 1],
  ],
  新材料: [['新材料', 1]],
  生态保护和环境治理业: [
    ['资源与环境', 3],
    ['新能源与节能', 1],
  ],
  '电力、热力生产和供应业': [['新能源与节能', 1]],
};
const FIELDS_OF_OTHER_INDUSTRIES: readonly (readonly [string, number])[] = [
  ['高技术服务', 3],
  ['电子信息', 1],
  ['先进制造与自动化', 1],
];

interface Programme {
  name: string;
  /** First character of the project number. */
  letter: string;
  weight: number;
  /** Funding range in 10,000 yuan. */
  funding: readonly [number, number];
  years: readonly [number, number];
}

const PROGRAMMES: readonly Programme[] = [
  { name: '北京市自然科学基金', letter: 'L', weight: 40, funding: [10, 100], years: [2, 3] },
  { name: '北京市科技计划', letter: 'Z', weight: 35, funding: [50, 2000], years: [1, 3] },
  { name: '中关村前沿技术', letter: 'J', weight: 15, funding: [100, 3000], years: [2, 4] },
  { name: '北京市科技新星计划', letter: 'X', weight: 10, funding: [20, 60], years: [3, 3] },
];

const RESEARCH_TOPICS =
  '大模型推理加速,多源感知融合,高比能锂电池正极材料,肿瘤早期筛查,城市内涝预警,量子精密测量,碳化硅功率器件,脑机接口,基因编辑递送,工业互联网安全,氢能储运,低空飞行器导航,中药质量控制,固态电池,高端数控机床,遥感影像解译,新型疫苗佐剂,京津冀大气污染溯源,高温超导材料,类脑芯片,自动驾驶决策,细胞治疗,光刻胶,区块链可信存证'.split(
    ',',
  );
const TITLE_PATTERNS: readonly ((topic: string) => string)[] = [
  (topic) => `${topic}关键技术研究`,
  (topic) => `${topic}的机理与方法研究`,
  (topic) => `面向首都城市治理的${topic}应用示范`,
  (topic) => `${topic}技术研发及产业化`,
  (topic) => `基于人工智能的${topic}研究`,
];

const LAB_SUBJECTS: readonly (readonly [string, string])[] = [
  ['先进光电材料', '材料科学'],
  ['网络空间安全', '信息科学'],
  ['智能机器人', '工程与技术科学'],
  ['神经退行性疾病', '医学'],
  ['纳米生物技术', '生命科学'],
  ['新型储能', '能源科学'],
  ['智能感知', '信息科学'],
  ['环境污染控制', '地球科学'],
  ['分子药物', '化学'],
  ['计算数学', '数学与物理'],
  ['作物分子育种', '农业科学'],
  ['城市地下空间', '工程与技术科学'],
  ['光电子器件', '信息科学'],
  ['干细胞与再生医学', '生命科学'],
  ['低碳能源', '能源科学'],
  ['精准医学', '医学'],
  ['高分子材料', '材料科学'],
  ['空天信息', '地球科学'],
  ['量子调控', '数学与物理'],
  ['绿色化工', '化学'],
  ['智能交通', '工程与技术科学'],
  ['生物医学工程', '生命科学'],
  ['集成电路设计', '信息科学'],
  ['水资源安全', '地球科学'],
  ['食品质量安全', '农业科学'],
  ['中医药防治', '医学'],
  ['先进制造', '工程与技术科学'],
  ['催化化学', '化学'],
  ['数据科学', '信息科学'],
  ['高能物理探测', '数学与物理'],
];
const LAB_ASPECTS = [
  '',
  '与应用',
  '与器件',
  '基础研究',
  '与系统',
  '技术',
  '工程技术',
  '理论与方法',
  '与智能计算',
  '创新',
];
const LAB_SUFFIX: Readonly<Record<KeyLabLevel, string>> = { NATIONAL: '全国重点实验室', MUNICIPAL: '北京市重点实验室' };

const CONTRACT_TYPES: readonly (readonly [ContractType, number])[] = [
  ['DEVELOPMENT', 40],
  ['SERVICE', 30],
  ['CONSULTING', 20],
  ['TRANSFER', 10],
];

/** Bump when the generator writes other rows. */
const GENERATOR_VERSION = '1';

export function scienceSeedPlan(size: SeedSize): SeedPlan {
  return {
    agency: 'science',
    size,
    ddl: SCIENCE_DDL,
    generatorVersion: GENERATOR_VERSION,
    fill: (db, progress) => fillScience(db, size, progress),
  };
}

function fillScience(db: AgencyDatabase, size: SeedSize, progress?: SeedProgress): Record<string, number> {
  const world = buildWorld(size);
  const shape = SHAPES[size];
  const random = SeededRandom.forStream(WORLD_SEED, `science:${size}`);
  const academic = [...world.universities, ...world.researchInstitutes];

  const certificates = new TableWriter(
    db,
    'high_tech_enterprises',
    [
      'certificate_number',
      'uscc',
      'district_code',
      'issued_on',
      'valid_until',
      'technology_field',
      'rd_expense_ratio',
      'revenue',
    ],
    progress,
  );
  const certificateSerials = new SerialCounter();
  const highTechFirms: WorldOrganization[] = [];
  for (const firm of world.enterprises) {
    const fields = FIELDS_BY_INDUSTRY[firm.industry];
    if (!random.chance(fields ? CERTIFICATION_CHANCE_TECH : CERTIFICATION_CHANCE_OTHER)) continue;
    highTechFirms.push(firm);
    const technologyField = random.weighted(fields ?? FIELDS_OF_OTHER_INDUSTRIES);
    let revenue = logUniform(random, 50, 100_000);
    // A firm reapplies when its certificate lapses; some let it lapse, so expired ones stay on record.
    for (let year = random.int(FIRST_YEAR, LAST_YEAR); year <= LAST_YEAR; year += 3) {
      const issuedOn = batchDate(random, year);
      certificates.write({
        certificate_number: `GR${year}11${certificateSerials.next(String(year), random).padStart(6, '0')}`,
        uscc: firm.uscc,
        district_code: usccRegistryCode(firm.uscc),
        issued_on: issuedOn,
        valid_until: plusYears(issuedOn, 3),
        technology_field: technologyField,
        rd_expense_ratio: round(minimumRdRatio(revenue) + random.float() ** 2 * 0.2, 4),
        revenue: round(revenue, 2),
      });
      if (!random.chance(RENEWAL_CHANCE)) break;
      revenue *= 0.9 + random.float() * 0.8;
    }
  }

  const projects = new TableWriter(
    db,
    'research_projects',
    [
      'project_number',
      'title',
      'programme',
      'lead_uscc',
      'lead_district_code',
      'funding',
      'start_date',
      'end_date',
      'pi_name',
      'pi_id_number',
      'pi_phone',
    ],
    progress,
  );
  const projectSerials = new SerialCounter();
  const investigators = new InvestigatorPool(
    random,
    world.districts.filter((d) => d.kind === 'DISTRICT').map((d) => d.code),
  );
  for (let i = 0; i < shape.researchProjects; i++) {
    const lead = random.chance(0.8) || highTechFirms.length === 0 ? random.pick(academic) : random.pick(highTechFirms);
    const programme = random.weighted(PROGRAMMES.map((p) => [p, p.weight] as const));
    const startDate = random.date(`${FIRST_YEAR}-01-01`, SCIENCE_SEED_DATE);
    const yy = startDate.slice(2, 4);
    const investigator = investigators.forOrganization(lead.uscc);
    projects.write({
      project_number: `${programme.letter}${yy}1100${projectSerials.next(programme.letter + yy, random).padStart(6, '0')}`,
      title: random.pick(TITLE_PATTERNS)(random.pick(RESEARCH_TOPICS)),
      programme: programme.name,
      lead_uscc: lead.uscc,
      lead_district_code: usccRegistryCode(lead.uscc),
      funding: round(logUniform(random, ...programme.funding), 2),
      start_date: startDate,
      end_date: plusDays(plusYears(startDate, random.int(...programme.years)), -1),
      pi_name: investigator.name,
      pi_id_number: investigator.idNumber,
      pi_phone: investigator.phone,
    });
  }

  const labs = new TableWriter(db, 'key_labs', ['code', 'name', 'host_uscc', 'field', 'level'], progress);
  const labSerials = new SerialCounter();
  const labNames = new Set<string>();
  for (let i = 0; i < shape.keyLabs; i++) {
    const host = random.pick(academic);
    const level: KeyLabLevel = random.chance(0.2) ? 'NATIONAL' : 'MUNICIPAL';
    let subject = random.pick(LAB_SUBJECTS);
    let name = `${subject[0]}${random.pick(LAB_ASPECTS)}${LAB_SUFFIX[level]}`;
    for (let attempt = 0; labNames.has(name) && attempt < 20; attempt++) {
      subject = random.pick(LAB_SUBJECTS);
      name = `${subject[0]}${random.pick(LAB_ASPECTS)}${LAB_SUFFIX[level]}`;
    }
    // Two hosts may run labs of the same name; the host's name in brackets is how they are told apart.
    if (labNames.has(name)) name = `${name}（${host.name}）`;
    labNames.add(name);
    const prefix = level === 'NATIONAL' ? 'SKL' : 'BZ';
    labs.write({
      code: prefix + labSerials.next(prefix, random).padStart(4, '0'),
      name,
      host_uscc: host.uscc,
      field: subject[1],
      level,
    });
  }

  const contracts = new TableWriter(
    db,
    'technology_contracts',
    ['registration_number', 'seller_uscc', 'buyer_uscc', 'type', 'amount', 'signed_on', 'district_code'],
    progress,
  );
  const contractSerials = new SerialCounter();
  const sellerPools = [
    [world.universities, 35],
    [world.researchInstitutes, 25],
    [highTechFirms, 40],
  ] as const;
  for (let i = 0; i < shape.technologyContracts; i++) {
    const seller = random.pick(random.weighted(sellerPools.filter(([pool]) => pool.length > 0)));
    let buyer = random.pick(world.enterprises);
    while (buyer.uscc === seller.uscc) buyer = random.pick(world.enterprises);
    const signedOn = random.date(`${FIRST_YEAR}-01-01`, SCIENCE_SEED_DATE);
    const districtCode = usccRegistryCode(seller.uscc);
    const year = signedOn.slice(0, 4);
    contracts.write({
      registration_number: `${year}${districtCode}${contractSerials.next(year + districtCode, random).padStart(6, '0')}`,
      seller_uscc: seller.uscc,
      buyer_uscc: buyer.uscc,
      type: random.weighted(CONTRACT_TYPES),
      // Most registered contracts are small services; a few large developments carry the totals.
      amount: round(5 * 4000 ** (random.float() ** 2.5), 2),
      signed_on: signedOn,
      district_code: districtCode,
    });
  }

  return {
    high_tech_enterprises: certificates.rows,
    research_projects: projects.rows,
    key_labs: labs.rows,
    technology_contracts: contracts.rows,
  };
}

/** Increasing serials per scope, with gaps as real registers have (withdrawn applications). */
class SerialCounter {
  private readonly last = new Map<string, number>();

  next(scope: string, random: SeededRandom): string {
    const serial = (this.last.get(scope) ?? 0) + random.int(1, 3);
    this.last.set(scope, serial);
    return String(serial);
  }
}

/** Certificates are issued in the autumn batches; the current year's batch runs up to the seed date. */
function batchDate(random: SeededRandom, year: number): string {
  return random.date(`${year}-10-01`, year === LAST_YEAR ? SCIENCE_SEED_DATE : `${year}-12-20`);
}

/** High-tech recognition requires at least 5%, 4% or 3% R&D spending as revenue grows (under 50m, 200m yuan, above). */
function minimumRdRatio(revenue: number): number {
  return revenue < 5_000 ? 0.05 : revenue < 20_000 ? 0.04 : 0.03;
}

/** A value between the bounds, evenly spread over orders of magnitude (most are small). */
function logUniform(random: SeededRandom, low: number, high: number): number {
  return low * (high / low) ** random.float();
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** The same calendar day n years on; 29 February becomes 28 February in a common year. */
function plusYears(isoDate: string, years: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year + years, month - 1, day));
  if (target.getUTCMonth() !== month - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

function plusDays(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}

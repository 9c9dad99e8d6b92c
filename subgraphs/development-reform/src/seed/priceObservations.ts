import { BEIJING_DISTRICTS, DEVELOPMENT_ZONE, type DistrictRecord, type SeededRandom } from '@cdo-hub/subgraph-kit';
import type { PriceObservationRow } from '../model';
import { compare, dayNumber, isoDate, round2 } from './seedDays';

// The price-monitoring part of the seed: weekly retail prices at each district's markets, supermarkets and stations.

interface Commodity {
  name: string;
  unit: string;
  /** Typical retail price in yuan per unit. */
  price: number;
  /** Relative swing over the year (vegetables are cheap in summer, pork cycles). */
  seasonal: number;
  fuel: boolean;
}

const COMMODITIES: readonly Commodity[] = [
  { name: '猪肉', unit: '元/500克', price: 14.5, seasonal: 0.12, fuel: false },
  { name: '牛肉', unit: '元/500克', price: 39.8, seasonal: 0.04, fuel: false },
  { name: '鸡蛋', unit: '元/500克', price: 5.6, seasonal: 0.1, fuel: false },
  { name: '大米', unit: '元/500克', price: 3.2, seasonal: 0.02, fuel: false },
  { name: '面粉', unit: '元/500克', price: 2.8, seasonal: 0.02, fuel: false },
  { name: '白菜', unit: '元/500克', price: 1.3, seasonal: 0.35, fuel: false },
  { name: '西红柿', unit: '元/500克', price: 3.6, seasonal: 0.3, fuel: false },
  { name: '土豆', unit: '元/500克', price: 1.9, seasonal: 0.15, fuel: false },
  { name: '苹果', unit: '元/500克', price: 6.2, seasonal: 0.12, fuel: false },
  { name: '花生油', unit: '元/5升', price: 76, seasonal: 0.02, fuel: false },
  { name: '汽油92号', unit: '元/升', price: 7.75, seasonal: 0.05, fuel: true },
  { name: '汽油95号', unit: '元/升', price: 8.25, seasonal: 0.05, fuel: true },
  { name: '柴油0号', unit: '元/升', price: 7.45, seasonal: 0.05, fuel: true },
];
const FOOD = COMMODITIES.filter((c) => !c.fuel);
const FUEL = COMMODITIES.filter((c) => c.fuel);

const SUPERMARKETS = ['物美', '京客隆', '超市发', '华联', '永辉', '家乐福'];
const LOCALITIES = [
  '中心',
  '西站',
  '东关',
  '北苑',
  '南湖',
  '新城',
  '花园',
  '长青',
  '光明',
  '建设',
  '文化',
  '育才',
  '康居',
  '滨河',
  '振兴',
];
/** Supermarkets sell a little above, wholesale markets a little below the typical price. */
const POINT_PRICE_FACTOR = { SUPERMARKET: 1.06, MARKET: 0.9, STATION: 1 } as const;
/** A Monday: readings are taken weekly from it on. */
const FIRST_MONITORING_DAY = dayNumber('2024-01-01');
const MONITORING_WEEKS = 130;

interface MonitoringPoint {
  name: string;
  districtCode: string;
  type: keyof typeof POINT_PRICE_FACTOR;
}

/**
 * Weekly readings at each district's monitoring points, numbered in date order so the list's
 * unique sort key also reads oldest first.
 */
export function priceObservations(random: SeededRandom, count: number): PriceObservationRow[] {
  const points = BEIJING_DISTRICTS.flatMap((district) => monitoringPoints(random, district));
  const observations: PriceObservationRow[] = [];
  for (let i = 0; i < count; i++) {
    const point = random.pick(points);
    const commodity = random.pick(point.type === 'STATION' ? FUEL : FOOD);
    const week = random.int(0, MONITORING_WEEKS - 1);
    const season = Math.cos((2 * Math.PI * (week % 52)) / 52);
    const noise = 1 + (random.float() - 0.5) * 0.12;
    observations.push({
      id: '',
      commodity: commodity.name,
      unit: commodity.unit,
      monitoring_point: point.name,
      district_code: point.districtCode,
      price: round2(commodity.price * POINT_PRICE_FACTOR[point.type] * (1 + commodity.seasonal * season) * noise),
      observed_on: isoDate(FIRST_MONITORING_DAY + week * 7),
    });
  }
  observations.sort(
    (a, b) =>
      compare(a.observed_on, b.observed_on) ||
      compare(a.district_code, b.district_code) ||
      compare(a.monitoring_point, b.monitoring_point) ||
      compare(a.commodity, b.commodity),
  );
  observations.forEach((observation, i) => (observation.id = `PO${String(i + 1).padStart(8, '0')}`));
  return observations;
}

function monitoringPoints(random: SeededRandom, district: DistrictRecord): MonitoringPoint[] {
  const place = district.code === DEVELOPMENT_ZONE ? '亦庄' : district.name.replace(/区$/, '');
  const first = random.pick(LOCALITIES);
  const second = random.pick(LOCALITIES.filter((locality) => locality !== first));
  return [
    { name: `${place}${first}农产品市场`, districtCode: district.code, type: 'MARKET' },
    {
      name: `${random.pick(SUPERMARKETS)}超市（${place}${first}店）`,
      districtCode: district.code,
      type: 'SUPERMARKET',
    },
    {
      name: `${random.pick(SUPERMARKETS)}超市（${place}${second}店）`,
      districtCode: district.code,
      type: 'SUPERMARKET',
    },
    { name: `中国石化${place}${second}加油站`, districtCode: district.code, type: 'STATION' },
  ];
}

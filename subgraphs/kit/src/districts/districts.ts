/**
 * Beijing's district-level divisions (GB/T 2260) plus the Beijing Economic-Technological
 * Development Zone, a functional zone treated as district-level. The zone has no GB/T 2260 code;
 * firms registered there carry `110302` in their USCC, so that registry code is its key here.
 */

export type DistrictKind = 'DISTRICT' | 'FUNCTIONAL_ZONE';

export interface DistrictRecord {
  code: string;
  name: string;
  nameEn: string;
  kind: DistrictKind;
}

export const BEIJING_DISTRICTS: readonly DistrictRecord[] = [
  { code: '110101', name: '东城区', nameEn: 'Dongcheng', kind: 'DISTRICT' },
  { code: '110102', name: '西城区', nameEn: 'Xicheng', kind: 'DISTRICT' },
  { code: '110105', name: '朝阳区', nameEn: 'Chaoyang', kind: 'DISTRICT' },
  { code: '110106', name: '丰台区', nameEn: 'Fengtai', kind: 'DISTRICT' },
  { code: '110107', name: '石景山区', nameEn: 'Shijingshan', kind: 'DISTRICT' },
  { code: '110108', name: '海淀区', nameEn: 'Haidian', kind: 'DISTRICT' },
  { code: '110109', name: '门头沟区', nameEn: 'Mentougou', kind: 'DISTRICT' },
  { code: '110111', name: '房山区', nameEn: 'Fangshan', kind: 'DISTRICT' },
  { code: '110112', name: '通州区', nameEn: 'Tongzhou', kind: 'DISTRICT' },
  { code: '110113', name: '顺义区', nameEn: 'Shunyi', kind: 'DISTRICT' },
  { code: '110114', name: '昌平区', nameEn: 'Changping', kind: 'DISTRICT' },
  { code: '110115', name: '大兴区', nameEn: 'Daxing', kind: 'DISTRICT' },
  { code: '110116', name: '怀柔区', nameEn: 'Huairou', kind: 'DISTRICT' },
  { code: '110117', name: '平谷区', nameEn: 'Pinggu', kind: 'DISTRICT' },
  { code: '110118', name: '密云区', nameEn: 'Miyun', kind: 'DISTRICT' },
  { code: '110119', name: '延庆区', nameEn: 'Yanqing', kind: 'DISTRICT' },
  {
    code: '110302',
    name: '北京经济技术开发区',
    nameEn: 'Beijing Economic-Technological Development Area',
    kind: 'FUNCTIONAL_ZONE',
  },
];

/** Codes merged away in 2010 (崇文 into 东城, 宣武 into 西城). Old ID numbers still carry them. */
export const RETIRED_DISTRICT_CODES: Readonly<Record<string, string>> = {
  '110103': '110101',
  '110104': '110102',
};

export const HAIDIAN = '110108';
export const DEVELOPMENT_ZONE = '110302';

const byCode = new Map(BEIJING_DISTRICTS.map((d) => [d.code, d]));

export function findDistrict(code: string): DistrictRecord | undefined {
  return byCode.get(code);
}

export function isDistrictCode(code: string): boolean {
  return byCode.has(code);
}

import type { SeededRandom } from './random';

// Common surnames weighted roughly by frequency; a few compound surnames keep the name mask honest.
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 72],
  ['李', 71],
  ['张', 68],
  ['刘', 53],
  ['陈', 45],
  ['杨', 31],
  ['赵', 20],
  ['黄', 22],
  ['周', 19],
  ['吴', 18],
  ['徐', 14],
  ['孙', 13],
  ['胡', 12],
  ['朱', 11],
  ['高', 11],
  ['林', 10],
  ['何', 10],
  ['郭', 10],
  ['马', 10],
  ['罗', 8],
  ['梁', 8],
  ['宋', 7],
  ['郑', 7],
  ['谢', 6],
  ['韩', 6],
  ['唐', 6],
  ['冯', 6],
  ['于', 6],
  ['董', 5],
  ['萧', 5],
  ['程', 5],
  ['曹', 5],
  ['欧阳', 1],
  ['司马', 1],
  ['上官', 1],
  ['诸葛', 1],
];

const GIVEN_MALE =
  '伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘';
const GIVEN_FEMALE =
  '秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';

/** A surname drawn by frequency. */
export function surname(random: SeededRandom): string {
  return random.weighted(SURNAMES);
}

/** A realistic Chinese personal name: a surname (drawn, or the family's) plus one or two given-name characters. */
export function personName(random: SeededRandom, gender: 'MALE' | 'FEMALE', familyName = surname(random)): string {
  const pool = gender === 'MALE' ? GIVEN_MALE : GIVEN_FEMALE;
  const length = random.chance(0.7) ? 2 : 1;
  return familyName + random.chars(pool, length);
}

/** A Beijing mobile number with a real carrier prefix. */
export function mobileNumber(random: SeededRandom): string {
  const prefix = random.pick([
    '130',
    '131',
    '132',
    '135',
    '136',
    '137',
    '138',
    '139',
    '150',
    '151',
    '152',
    '158',
    '159',
    '176',
    '177',
    '180',
    '181',
    '186',
    '187',
    '188',
    '189',
    '199',
  ]);
  return prefix + random.chars('0123456789', 8);
}

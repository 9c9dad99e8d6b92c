import { GraphQLFloat, GraphQLInt, GraphQLNonNull, GraphQLString } from 'graphql';
import {
  applyMask,
  maskAddress,
  maskIdNumber,
  maskMobile,
  maskName,
  maskTypeProblem,
  parseMask,
  type MaskSpec,
} from './masks';

const context = { hashKey: 'test-key', consumerId: 'district-haidian' };
const mask = (text: string) => parseMask(text) as MaskSpec;

describe('mask forms from the domain reference', () => {
  it('idNumber keeps the first 6 and last 4', () => {
    expect(maskIdNumber('110101201003071234')).toBe('110101********1234');
    expect(maskIdNumber('G110101201003071234')).toBe('G110101********1234');
  });
  it('mobile keeps the first 3 and last 4', () => expect(maskMobile('13812345678')).toBe('138****5678'));
  it('name keeps the surname, compound surnames included', () => {
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('张晓明')).toBe('张**');
    expect(maskName('欧阳娜娜')).toBe('欧阳**');
    expect(maskName('欧阳')).toBe('欧*');
  });
  it('address keeps the district', () => {
    expect(maskAddress('北京市海淀区中关村大街27号')).toBe('北京市海淀区******');
    expect(maskAddress('北京经济技术开发区荣华南路2号')).toBe('北京经济技术开发区******');
  });
  it('round, yearOnly and null', () => {
    expect(applyMask(mask('round(10000)'), 123_456, context)).toBe(120_000);
    expect(applyMask(mask('round(100)'), 6183.97, context)).toBe(6200);
    expect(applyMask(mask('yearOnly'), '2019-05-01', context)).toBe('2019');
    expect(applyMask(mask('null'), 'x', context)).toBeNull();
  });
  it('hash is stable per consumer and differs between consumers', () => {
    const a = applyMask(mask('hash'), '110101201003071234', context);
    expect(applyMask(mask('hash'), '110101201003071234', context)).toBe(a);
    expect(applyMask(mask('hash'), '110101201003071234', { ...context, consumerId: 'city-analytics' })).not.toBe(a);
    expect(a).not.toContain('1101012010');
  });
  it('masks list items one by one and leaves null alone', () => {
    expect(applyMask(mask('mobile'), ['13812345678', null], context)).toEqual(['138****5678', null]);
    expect(applyMask(mask('name'), null, context)).toBeNull();
  });
});

describe('mask parsing and type checks', () => {
  it('rejects unknown masks and bad steps', () => {
    expect(parseMask('blur')).toHaveProperty('error');
    expect(parseMask('round(0)')).toHaveProperty('error');
  });
  it('checks a mask against the field type', () => {
    expect(maskTypeProblem(mask('round(10)'), GraphQLFloat)).toBeUndefined();
    expect(maskTypeProblem(mask('round(10)'), GraphQLString)).toMatch(/Int or Float/);
    expect(maskTypeProblem(mask('name'), new GraphQLNonNull(GraphQLString))).toBeUndefined();
    expect(maskTypeProblem(mask('name'), GraphQLInt)).toMatch(/String or ID/);
    expect(maskTypeProblem(mask('null'), new GraphQLNonNull(GraphQLString))).toMatch(/non-null/);
    expect(maskTypeProblem(mask('null'), GraphQLString)).toBeUndefined();
  });
});

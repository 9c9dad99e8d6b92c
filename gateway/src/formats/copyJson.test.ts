import fc from 'fast-check';
import { copyJson } from './copyJson';

describe('copyJson', () => {
  it('copies any JSON value to an equal value that shares no object with the original', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyJson(value);
        expect(copy).toEqual(value);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
        const originals = new Set<object>();
        const collect = (v: unknown) => {
          if (v && typeof v === 'object') {
            originals.add(v);
            Object.values(v).forEach(collect);
          }
        };
        collect(value);
        const shared: unknown[] = [];
        const check = (v: unknown) => {
          if (v && typeof v === 'object') {
            if (originals.has(v)) shared.push(v);
            Object.values(v).forEach(check);
          }
        };
        check(copy);
        expect(shared).toEqual([]);
      }),
    );
  });

  it('lets a request write into its copy without touching the original', () => {
    const original = JSON.parse('{"students":[{"id":"S1","school":{"name":"第一中学"}}]}');
    const copy = copyJson(original);
    copy.students[0].school.name = '***';
    copy.students.push({ id: 'S2' });
    expect(original).toEqual({ students: [{ id: 'S1', school: { name: '第一中学' } }] });
  });

  it('keeps a __proto__ key an own property, never the prototype of the copy', () => {
    const original = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    const copy = copyJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });
});

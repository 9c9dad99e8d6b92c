import { isInvestmentProjectCode } from '../identifiers';
import { buildWorld } from './world';
import { INVESTMENT_PROJECT_YEARS, SEED_SIZES } from './worldModel';

describe.each(SEED_SIZES)('the %s world’s school-construction projects', (size) => {
  const world = buildWorld(size);
  const projects = world.schoolConstructionProjects;
  const schools = new Map(world.schools.map((school) => [school.code, school]));

  it('are about 8% of the investment register, with unique serials in rising order', () => {
    expect(projects.length / world.investmentProjectCount).toBeGreaterThan(0.06);
    expect(projects.length / world.investmentProjectCount).toBeLessThan(0.1);
    const serials = projects.map((project) => Number(project.code.slice(-6)));
    expect(serials).toEqual([...serials].sort((a, b) => a - b));
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('are coded by GB/T 40058 as government-funded education projects of the school’s district', () => {
    const [first, last] = INVESTMENT_PROJECT_YEARS;
    const misfits = projects.filter(
      (project) =>
        !isInvestmentProjectCode(project.code) ||
        !project.code.startsWith(`${project.year}-${project.districtCode}-04-01-`) ||
        project.year < first ||
        project.year > last,
    );
    expect(misfits).toEqual([]);
  });

  it('build public schools below university level, in the school’s own district', () => {
    const misfits = projects.filter((project) => {
      const school = schools.get(project.schoolCode);
      return (
        school?.ownership !== 'PUBLIC' ||
        school.type === 'HIGHER_EDUCATION' ||
        school.districtCode !== project.districtCode
      );
    });
    expect(misfits).toEqual([]);
    expect(
      projects.filter(
        (project) => project.addsPlaces !== ['教学楼改扩建工程', '综合楼新建工程'].includes(project.works),
      ),
    ).toEqual([]);
  });
});

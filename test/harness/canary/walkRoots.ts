import type { HubProcess } from '../hubProcess';
import type { WalkRoot } from './connectionWalk';

/**
 * Where the connection walk starts: every list root (unfiltered, then Haidian's, where a scoped
 * grant applies), then single records in and out of Haidian, read from the hub's databases.
 */
export function walkRoots(hub: HubProcess): WalkRoot[] {
  const education = hub.database('education');
  const drc = hub.database('development-reform');
  const science = hub.database('science');
  try {
    const school = (where: string) =>
      education.get<{ code: string; uscc: string }>(
        `SELECT code, uscc FROM schools WHERE ${where} AND enrolment > 5 ORDER BY code`,
      )!;
    const project = (where: string) =>
      drc.get<{ code: string; owner_uscc: string }>(
        `SELECT code, owner_uscc FROM investment_projects WHERE ${where} ORDER BY code`,
      )!;
    const firm = science.get<{ seller_uscc: string }>(
      'SELECT seller_uscc FROM technology_contracts GROUP BY seller_uscc ORDER BY COUNT(*) DESC, seller_uscc',
    )!;
    const certificate = science.get<{ certificate_number: string }>(
      'SELECT certificate_number FROM high_tech_enterprises ORDER BY certificate_number',
    )!;
    const research = science.get<{ project_number: string }>(
      'SELECT project_number FROM research_projects ORDER BY project_number',
    )!;
    const contract = science.get<{ registration_number: string }>(
      'SELECT registration_number FROM technology_contracts ORDER BY registration_number',
    )!;
    return [
      { field: 'schools' },
      { field: 'schools', args: { districtCode: '110108' } },
      { field: 'districts' },
      { field: 'investmentProjects' },
      { field: 'investmentProjects', args: { districtCode: '110108' } },
      { field: 'priceObservations' },
      { field: 'highTechEnterprises' },
      { field: 'keyLabs' },
      { field: 'school', args: { code: school("district_code <> '110108'").code } },
      { field: 'school', args: { code: school("district_code = '110108'").code } },
      { field: 'district', args: { code: '110108' } },
      { field: 'organization', args: { uscc: school("type = 'HIGHER_EDUCATION'").uscc } },
      { field: 'organization', args: { uscc: firm.seller_uscc } },
      { field: 'organization', args: { uscc: project("district_code = '110108'").owner_uscc } },
      { field: 'investmentProject', args: { code: project('school_code IS NOT NULL').code } },
      { field: 'highTechEnterprise', args: { certificateNumber: certificate.certificate_number } },
      { field: 'researchProject', args: { projectNumber: research.project_number } },
      { field: 'technologyContract', args: { registrationNumber: contract.registration_number } },
    ];
  } finally {
    for (const db of [education, drc, science]) db.close();
  }
}

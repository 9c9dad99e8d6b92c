import type { UpdateFrequency } from './metadataModel';

/** The catalog's languages: Chinese first (the city's officials and analysts), English on request. */
export type CatalogLanguage = 'zh-CN' | 'en';

/**
 * The language to answer in: `?lang=` when it names one (`zh`, `zh-CN`, `en`…), else the first
 * language of `Accept-Language` (by q-value, RFC 9110 §12.5.4) the catalog speaks, else Chinese.
 */
export function pickLanguage(acceptLanguage: string | undefined, override?: string): CatalogLanguage {
  const known = (tag: string): CatalogLanguage | undefined => {
    const primary = tag.trim().toLowerCase().split('-')[0];
    return primary === 'zh' ? 'zh-CN' : primary === 'en' ? 'en' : undefined;
  };
  if (override) {
    const chosen = known(override);
    if (chosen) return chosen;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const chosen = known(tag);
    if (chosen) return chosen;
  }
  return 'zh-CN';
}

/** The sharing classes by the names of the State Council's 2016 rules, and their English glosses. */
export const SHARING_CLASS_LABELS: Record<CatalogLanguage, Record<string, string>> = {
  'zh-CN': { UNCONDITIONAL: '无条件共享', CONDITIONAL: '有条件共享', NOT_SHARED: '不予共享' },
  en: { UNCONDITIONAL: 'unconditional sharing', CONDITIONAL: 'conditional sharing', NOT_SHARED: 'not shared' },
};

export const OPEN_DATA_LABELS: Record<CatalogLanguage, Record<string, string>> = {
  'zh-CN': { OPEN: '无条件开放', CONDITIONAL: '有条件开放', CLOSED: '不予开放' },
  en: { OPEN: 'open', CONDITIONAL: 'conditionally open', CLOSED: 'closed' },
};

export const UPDATE_FREQUENCY_LABELS: Record<CatalogLanguage, Record<UpdateFrequency, string>> = {
  'zh-CN': {
    realtime: '实时',
    daily: '每日',
    weekly: '每周',
    monthly: '每月',
    'per-term': '每学期',
    quarterly: '每季度',
    yearly: '每年',
    'on-change': '随业务变更',
  },
  en: {
    realtime: 'real time',
    daily: 'daily',
    weekly: 'weekly',
    monthly: 'monthly',
    'per-term': 'each school term',
    quarterly: 'quarterly',
    yearly: 'yearly',
    'on-change': 'as it changes',
  },
};

/** The page's own words. */
export const PAGE_TEXT = {
  'zh-CN': {
    title: '数据资源目录',
    intro:
      '各委办局通过 cdo-hub 提供的每个数据项：中文名称、共享属性、数据管理员、更新频率和来源系统，以及当前有效的授权。目录只描述数据，不含任何数据值。',
    generated: '生成于',
    supergraph: '超级图',
    policies: '共享策略',
    search: '搜索数据项',
    searchHint: '如 监护人、学校名称、有条件共享、city-analytics',
    field: '数据项',
    description: '说明',
    sharingClass: '共享属性',
    level: '分级',
    openData: '开放属性',
    notes: '依据与限制',
    metadata: '管理信息',
    grants: '有效授权',
    steward: '数据管理员',
    updateFrequency: '更新频率',
    sourceSystem: '来源系统',
    typeDefault: '按类型默认',
    unclassified: '未定级（默认不予共享）',
    noMetadata: '目录未登记此数据项（仅显示英文名）',
    countsBelow: (n: number) => `少于 ${n} 的计数不予提供`,
    grantLine: (consumer: string, purposes: string, until: string) => `${consumer}：用于 ${purposes}，至 ${until}`,
    masked: '脱敏',
    rows: '范围',
    matches: '{total} 个数据项中有 {shown} 个匹配',
    total: '共 {total} 个数据项',
    requestAccess: '申请使用',
    signIn: '登录后申请',
    token: '访问令牌（Bearer token）',
    tokenHint: '用 hub token --consumer 你的单位 生成；只保存在本标签页的会话存储中',
    purpose: '用途',
    reason: '申请理由（履职事项和使用场景）',
    send: '提交申请',
    cancel: '取消',
    signOut: '退出',
    signedInAs: '已登录',
    filed: '已提交申请 {id}，答复期限 {deadline}',
    language: 'English',
  },
  en: {
    title: 'Data catalog',
    intro:
      "The city's data resource directory: every field the agencies publish through cdo-hub, its Chinese name, how its agency shares it, its data steward, update frequency and source system, and the grants in force. It shows no data values.",
    generated: 'Generated',
    supergraph: 'supergraph',
    policies: 'policies',
    search: 'Search fields',
    searchHint: 'e.g. guardian, 监护人, CONDITIONAL, city-analytics',
    field: 'field',
    description: 'description',
    sharingClass: 'sharing class',
    level: 'level',
    openData: 'open data',
    notes: 'legal basis and limits',
    metadata: 'steward and source',
    grants: 'grants in force',
    steward: 'steward',
    updateFrequency: 'updated',
    sourceSystem: 'source system',
    typeDefault: 'type default',
    unclassified: 'not classed (secure default)',
    noMetadata: 'not in the catalog metadata (English name only)',
    countsBelow: (n: number) => `counts below ${n} withheld`,
    grantLine: (consumer: string, purposes: string, until: string) => `${consumer} for ${purposes} until ${until}`,
    masked: 'masked',
    rows: 'rows',
    matches: '{shown} of {total} fields match',
    total: '{total} fields',
    requestAccess: 'Request access',
    signIn: 'Sign in to request',
    token: 'Access token (bearer)',
    tokenHint: 'mint one with hub token --consumer YOUR-ID; kept in this tab’s session storage only',
    purpose: 'purpose',
    reason: 'reason (the duty and use scenario the data serves)',
    send: 'File request',
    cancel: 'Cancel',
    signOut: 'Sign out',
    signedInAs: 'Signed in',
    filed: 'Filed request {id}; the answer is due by {deadline}',
    language: '中文',
  },
} as const;

/** Fills `{name}` slots of a page text (the page's script fills the same templates). */
export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (slot, name: string) => (name in values ? String(values[name]) : slot));
}

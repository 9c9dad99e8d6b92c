/**
 * The words of the console's disputes page (疑义校核) and of the usage page's lists of what is
 * owed — open disputes, overdue deletion attestations — in both languages; messages.ts merges them
 * into the one table per language. Chinese first.
 */
export const disputesZh = {
  disputesNav: '疑义校核',
  disputes: {
    title: '疑义校核',
    intro:
      '使用方对本机构共享的数据提出疑义，须在截止日期（工作日计算）前答复：确认无误、已更正或不予采纳，并说明理由。答复“已更正”后，网关立即清除缓存中的该记录。',
    none: '没有疑义。',
    open: '待答复',
    answered: '已答复',
    filedBy: (consumer: string, purpose?: string) => `${consumer}${purpose ? `（${purpose}）` : ''} 提出`,
    record: (coordinate: string, key: string) => `${coordinate} · 记录 ${key}`,
    due: (date: string) => `答复截止 ${date}`,
    daysLeft: (n: number) => `剩余 ${n} 个工作日`,
    daysLate: (n: number) => `已逾期 ${n} 个工作日`,
    evidence: (name: string, bytes: number, sha256: string) =>
      `证明材料 ${name}（${bytes} 字节，SHA-256 ${sha256.slice(0, 16)}…）`,
    answer: '答复',
    outcome: '结论',
    outcomes: { confirmed: '确认无误', corrected: '已更正', rejected: '不予采纳' } as Record<string, string>,
    reason: '理由（使用方可见，并记入记录）',
    submit: '提交答复',
    answeredNotice: (id: string, outcome: string) => `已答复 ${id}：${outcome}。`,
    answeredBy: (by: string, at: string) => `${by} 于 ${at} 答复`,
  },
  owed: {
    disputesTitle: '待答复的疑义',
    disputesSummary: (open: number, overdue: number) => `共 ${open} 件待答复，其中 ${overdue} 件已逾期。`,
    attestationsTitle: '逾期未提交的删除证明',
    attestationsNone: '没有逾期的删除证明。',
    grant: '授权',
    consumer: '使用方',
    ended: '授权结束',
    dueBy: '截止',
    dispute: '疑义',
    field: '字段',
    due: '答复截止',
    overdue: '已逾期',
  },
};

export type DisputeMessages = typeof disputesZh;

export const disputesEn: DisputeMessages = {
  disputesNav: 'Disputes',
  disputes: {
    title: 'Disputes',
    intro:
      "Consumers dispute values the agency shares; each is answered by its due date (in working days): confirmed, corrected or rejected, with a reason. Once answered 'corrected', the gateway purges the record from its caches at once.",
    none: 'No disputes.',
    open: 'Awaiting an answer',
    answered: 'Answered',
    filedBy: (consumer: string, purpose?: string) => `filed by ${consumer}${purpose ? ` (${purpose})` : ''}`,
    record: (coordinate: string, key: string) => `${coordinate} · record ${key}`,
    due: (date: string) => `answer due by ${date}`,
    daysLeft: (n: number) => `${n} working day(s) left`,
    daysLate: (n: number) => `${n} working day(s) late`,
    evidence: (name: string, bytes: number, sha256: string) =>
      `evidence ${name} (${bytes} bytes, SHA-256 ${sha256.slice(0, 16)}…)`,
    answer: 'Answer',
    outcome: 'Outcome',
    outcomes: { confirmed: 'confirmed', corrected: 'corrected', rejected: 'rejected' } as Record<string, string>,
    reason: 'Reason (the consumer reads it; it is kept on record)',
    submit: 'Send the answer',
    answeredNotice: (id: string, outcome: string) => `${id} answered: ${outcome}.`,
    answeredBy: (by: string, at: string) => `answered by ${by} on ${at}`,
  },
  owed: {
    disputesTitle: 'Disputes awaiting an answer',
    disputesSummary: (open: number, overdue: number) => `${open} awaiting an answer, ${overdue} of them overdue.`,
    attestationsTitle: 'Deletion attestations overdue',
    attestationsNone: 'No deletion attestation is overdue.',
    grant: 'Grant',
    consumer: 'Consumer',
    ended: 'Grant ended',
    dueBy: 'Due by',
    dispute: 'Dispute',
    field: 'Field',
    due: 'Answer due',
    overdue: 'overdue',
  },
};

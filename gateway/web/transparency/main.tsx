import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import '../base.css';
import './transparency.css';
import type { TransparencyAnswer as Answer } from '../../src/accessLog/transparencyAnswer';

/**
 * A person's own access log (个人信息查阅记录): who read their records at each agency, when, for
 * what purpose and case, which fields, under which grant. Signed in with a data subject's token
 * (pasted, kept in the tab's session storage, sent as a bearer token: no cookie). The page holds no
 * data: everything comes from `/transparency/api/reads`, which answers about the token's subject only.
 */

const TOKEN_KEY = 'cdo-transparency.token';

const AGENCY_NAMES: Record<string, string> = {
  education: '北京市教育委员会',
  'development-reform': '北京市发展和改革委员会',
  science: '北京市科学技术委员会',
};

const RECORD_TYPES: Record<string, string> = {
  Student: '学生学籍记录',
  School: '学校信息',
  Organization: '法人单位信息',
  InvestmentProject: '投资项目（联系人）',
  HighTechEnterprise: '高新技术企业证书',
  ResearchProject: '科研项目（负责人）',
  KeyLab: '重点实验室',
};

/** Field names in Chinese where the page knows them; others as the graph names them. */
const FIELD_NAMES: Record<string, string> = {
  'Student.name': '姓名',
  'Student.grade': '年级',
  'Student.gender': '性别',
  'Student.birthDate': '出生日期',
  'Student.idNumber': '身份证号',
  'Student.studentNumber': '学籍号',
  'Student.guardianName': '监护人姓名',
  'Student.guardianPhone': '监护人电话',
  'Student.healthStatus': '体检结果',
  'Student.receivesFinancialAid': '资助情况',
  'Student.migrant': '户籍情况',
  'Student.school': '就读学校',
  'School.name': '名称',
  'School.students': '学生名单',
  'School.enrolment': '在校生数',
  'Organization.name': '名称',
  'InvestmentProject.contactName': '联系人姓名',
  'InvestmentProject.contactPhone': '联系人电话',
  'InvestmentProject.contactIdNumber': '联系人身份证号',
  'ResearchProject.principalInvestigator': '负责人',
  'ResearchProject.principalInvestigatorIdNumber': '负责人身份证号',
};

const fieldNames = (type: string, fields: string[]) =>
  fields.map((field) => FIELD_NAMES[`${type}.${field}`] ?? field).join('、') || '—';

/** Beijing time, as the person lives it. */
const beijing = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

class RefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function fetchReads(token: string): Promise<Answer> {
  const response = await fetch('/transparency/api/reads', { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as Answer & { errors?: { message: string; extensions?: { code?: string } }[] };
  if (!response.ok) {
    const error = body.errors?.[0];
    throw new RefusedError(error?.extensions?.code ?? String(response.status), error?.message ?? '');
  }
  return body;
}

const REFUSALS: Record<string, string> = {
  SUBJECT_IDENTITY_REQUIRED: '此页面只供个人查询本人记录：请使用本人（数据主体）令牌登录，而非部门令牌。',
  INVALID_TOKEN: '令牌无效或已过期，请重新获取。',
  TOKEN_LIFETIME_TOO_LONG: '令牌有效期超过平台允许的上限。',
  UNAUTHENTICATED: '请先登录。',
};

function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) onToken(text.trim());
  };
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">登录</h2>
      <p>粘贴您的个人令牌（开发环境：npm run -s hub -- token --subject 您的身份证号）。</p>
      <form onSubmit={submit}>
        <label>
          个人令牌
          <textarea name="token" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">查看我的查阅记录</button>
      </form>
    </section>
  );
}

function Reads({ answer }: { answer: Answer }) {
  return (
    <>
      {!answer.complete && (
        <p className="notice" role="status">
          查阅记录仍在更新中，最近的查阅可能尚未列出，请稍后再查看。
        </p>
      )}
      {answer.unavailable.length > 0 && (
        <p className="notice" role="status">
          以下部门的查阅记录暂时无法查询：{answer.unavailable.map((a) => AGENCY_NAMES[a] ?? a).join('、')}。
        </p>
      )}
      <ReadsTable answer={answer} />
    </>
  );
}

function ReadsTable({ answer }: { answer: Answer }) {
  if (!answer.reads.length)
    return (
      <p className="empty" role="status">
        目前没有部门查阅过您的记录。
      </p>
    );
  return (
    <table>
      <caption>共 {answer.reads.length} 次查阅（北京时间，最新在前）</caption>
      <thead>
        <tr>
          <th>时间</th>
          <th>查阅部门</th>
          <th>用途</th>
          <th>案件编号</th>
          <th>数据来源</th>
          <th>记录</th>
          <th>明文字段</th>
          <th>脱敏字段</th>
          <th>依据授权</th>
          <th>请求编号</th>
        </tr>
      </thead>
      <tbody>
        {answer.reads.map((read) => (
          <tr key={`${read.requestId}|${read.agency}|${read.type}`}>
            <td>{beijing(read.time)}</td>
            <td>{read.consumerName}</td>
            <td>{read.purpose ?? '—'}</td>
            <td>{read.case ?? '—'}</td>
            <td>{AGENCY_NAMES[read.agency] ?? read.agency}</td>
            <td>{RECORD_TYPES[read.type] ?? read.type}</td>
            <td>{fieldNames(read.type, read.released)}</td>
            <td>{fieldNames(read.type, read.masked)}</td>
            <td>{read.grants.join('、') || '无条件共享'}</td>
            <td>
              <code>{read.requestId}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TransparencyPage() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [answer, setAnswer] = useState<Answer>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    if (!token) return;
    setProblem(undefined);
    fetchReads(token).then(setAnswer, (error: unknown) => {
      const code = error instanceof RefusedError ? error.code : '';
      setProblem(REFUSALS[code] ?? `查询失败（${code || '网络错误'}）`);
      sessionStorage.removeItem(TOKEN_KEY);
      setToken(null);
    });
  }, [token]);
  const signIn = (value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setToken(value);
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setAnswer(undefined);
  };
  return (
    <>
      <header>
        <h1>我的数据被谁查阅</h1>
        {token && answer && (
          <div className="who">
            <span>
              本人：<code>{answer.subject}</code>
            </span>
            <button type="button" onClick={signOut}>
              退出
            </button>
          </div>
        )}
      </header>
      <main>
        <p className="about">
          依据《个人信息保护法》，您有权知悉哪些政府部门处理了您的个人信息。以下列出经本平台共享、含有您记录的每一次查阅：
          时间、部门、用途、案件、字段（明文或脱敏）与依据的授权。平台审计只保存由各部门密钥计算的证件号码摘要，不保存号码本身。
        </p>
        {problem && (
          <p role="alert" className="problem">
            {problem}
          </p>
        )}
        {!token && <SignIn onToken={signIn} />}
        {token && !answer && !problem && <p role="status">正在查询…</p>}
        {token && answer && <Reads answer={answer} />}
      </main>
    </>
  );
}

createRoot(document.getElementById('transparency')!).render(
  <StrictMode>
    <TransparencyPage />
  </StrictMode>,
);

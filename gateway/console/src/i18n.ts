import { useEffect, useState } from 'preact/hooks';

/**
 * Chinese and English, chosen per user (kept in this browser under the user's name), with dates
 * and numbers in that language's conventions. The catalog is keyed by the English text, so a
 * missing translation shows English rather than a key.
 */
export type Lang = 'en' | 'zh';
export type Theme = 'light' | 'dark';

const zh: Record<string, string> = {
  'Sign in': '登录', 'Sign out': '退出', 'User name': '用户名', Password: '密码', 'Your session has ended: sign in again.': '会话已结束，请重新登录。',
  'Enter your user name and password.': '请输入用户名和密码。', Queue: '工单队列', Tickets: '工单', Alarms: '告警', Fleet: '设备群', SLA: '服务水平', Rules: '规则',
  Forecasts: '预测', Hubs: '网关', 'MQTT accounts': 'MQTT 账户', Users: '用户', 'Dead letters': '死信', Contacts: '联系记录', Admin: '管理',
  'Dispatcher queue': '派单队列', Search: '搜索', 'title, model, fault, region, customer': '标题、型号、故障、地区、客户', Status: '状态', active: '进行中', all: '全部', done: '已完成',
  'Breached only': '仅超时', 'Safety only': '仅安全', 'Mine only': '仅我的', Sort: '排序', urgency: '紧急程度', opened: '创建时间', updated: '更新时间', region: '地区', customer: '客户',
  assignee: '负责人', model: '型号', Ticket: '工单', Severity: '严重程度', What: '内容', Customer: '客户', Region: '地区', Appliance: '设备', Assignee: '负责人', Opened: '创建于',
  'No tickets match.': '没有匹配的工单。', '{n} tickets, {u} urgent': '共 {n} 个工单，{u} 个紧急', Previous: '上一页', Next: '下一页', 'Page {p} of {n}': '第 {p} / {n} 页',
  'Assign to me': '分配给我', 'Assign selected': '分配所选', Technician: '技术员', 'Select {id}': '选择 {id}', 'Saved filters': '已保存的筛选', 'Save filter': '保存筛选', 'Filter name': '筛选名称',
  'Ticket {id} not found': '未找到工单 {id}', 'Back to the queue': '返回队列', 'Loading…': '加载中…', Actions: '操作', 'No actions for you in this state.': '此状态下您没有可用操作。',
  Assign: '分配', Schedule: '预约', 'Start work': '开始维修', Resolve: '解决', Reopen: '重新打开', Cancel: '取消', Close: '关闭', Reason: '原因', Note: '备注',
  'Resolution code': '解决代码', 'Visit date': '上门日期', From: '从', To: '至', "in the customer's time zone ({tz})": '客户时区（{tz}）', 'No customer linked': '未关联客户',
  'Link customer': '关联客户', 'Customer id': '客户编号', Model: '型号', Serial: '序列号', 'Save appliance': '保存设备', Fault: '故障', 'Likely part': '可能的备件', History: '历史',
  'Alarm history': '告警历史', 'Contact history': '联系历史', Call: '拨打', Warranty: '保修', valid: '有效', expired: '已过期', unknown: '未知', 'Open the appliance page': '打开设备页面',
  'Latest values': '最新数值', 'Telemetry': '遥测', 'Last 6 hours': '最近 6 小时', 'Last 24 hours': '最近 24 小时', 'Last 7 days': '最近 7 天', 'Faults and alarms': '故障和告警',
  'No telemetry in this range.': '此时间段没有遥测数据。', Acknowledge: '确认', 'Clear alarm': '清除告警', safety: '安全', critical: '严重', warning: '警告', info: '提示', raised: '已触发', acknowledged: '已确认', '{who} deployed version {v}': '{who} 部署了版本 {v}', 'SLA trend by day': '服务水平每日趋势', 'Appliances behind {alert}': '{alert} 涉及的设备', 'Alarm {key} cleared.': '告警 {key} 已清除。', 'Open alarms': '未关闭告警', 'No open alarms.': '没有未关闭的告警。', 'Hubs online': '在线网关',
  'Fleet red lights': '设备群红灯', 'Past their promise': '超过承诺时间', None: '无', 'Close alert': '关闭警报', 'Group by': '分组', team: '团队', 'On time': '准时率', 'Time to assign': '分配用时',
  'Time to repair': '维修用时', 'Repeat repairs': '返修率', Trend: '趋势', Day: '日期', Group: '分组', Range: '范围', 'Last 30 days': '最近 30 天', 'Last 90 days': '最近 90 天',
  Provision: '开通', Rotate: '更换密码', Revoke: '吊销', Connected: '已连接', Offline: '离线', 'Password (shown once)': '密码（仅显示一次）', Role: '角色', Add: '添加', Replay: '重发',
  Payload: '内容', Received: '接收时间', Topic: '主题', Language: '语言', Theme: '主题', light: '浅色', dark: '深色', Metric: '指标', 'What drives this': '影响因素', Forecast: '预测',
  Baseline: '基线', 'Rule set (YAML)': '规则集（YAML）', 'No problems': '没有问题', Backtest: '回测', Deploy: '部署', 'Deploy message': '部署说明', 'Roll back': '回滚', Versions: '版本',
  Diff: '差异', 'Alarms added': '新增告警', 'Alarms removed': '减少告警', 'Deploy this rule set?': '确定部署此规则集？', 'Roll back to version {v}?': '确定回滚到版本 {v}？',
  'line {l}, column {c}': '第 {l} 行，第 {c} 列', Yes: '是', No: '否', Name: '名称', Phone: '电话', Address: '地址', When: '时间', By: '操作人', Outcome: '结果', Channel: '渠道',
  'Skip to content': '跳到正文', Main: '主菜单', Title: '标题', Created: '创建于', Disabled: '已停用', Save: '保存', Attempts: '尝试次数', Error: '错误', 'Manager view': '经理视图',
  'This page is not for your role.': '您的角色无权访问此页面。', Purpose: '目的', 'Hub id': '网关编号', 'Account name': '账户名', Cancelled: '已取消',
  // Forecasts page
  Visits: '上门', 'Contacts by channel': '各渠道联系量', 'Inbound calls': '呼入电话', Total: '合计', 'Appliance type': '家电类型', 'Skill / language': '技能 / 语言',
  All: '全部', Granularity: '粒度', Daily: '按天', Hourly: '按小时', 'History {from} to {to}': '历史 {from} 至 {to}', Weather: '天气', 'Forecast model': '预测模型',
  'No weather or holiday moves this forecast by 10 % or more.': '没有天气或节假日使此预测变化 10 % 以上。', 'fell back to the baseline': '已退回基线',
  'Weather effect over the horizon: {n} against the weather as usual': '预测期内天气影响：与常规天气相比 {n}', 'Forecast as a table': '预测数据表', 'History as a table': '历史数据表',
  Hour: '小时', Count: '数量', 'History shown': '显示历史', 'All it was fitted on': '全部拟合历史', 'Last {n} days': '最近 {n} 天', Legend: '图例', 'seasonal naive': '季节性朴素预测',
  'History {from} to {to} ({n} points), forecast {ffrom} to {fto} with 80 % and 95 % bands and the seasonal-naive baseline.': '历史 {from} 至 {to}（{n} 个点），预测 {ffrom} 至 {fto}，含 80 % 和 95 % 预测区间及季节性朴素基线。',
};

const PREFS = 'forecare.prefs.';
let lang: Lang = 'en';
const subscribers = new Set<() => void>();

export function t(text: string, vars: Record<string, string | number> = {}): string {
  const s = lang === 'zh' ? (zh[text] ?? text) : text;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export function prefsOf(username: string): { lang: Lang; theme: Theme } {
  try {
    const p = JSON.parse(localStorage.getItem(PREFS + username) ?? '{}') as { lang?: Lang; theme?: Theme };
    const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
    return { lang: p.lang ?? (navigator.language.startsWith('zh') ? 'zh' : 'en'), theme: p.theme ?? (dark ? 'dark' : 'light') };
  } catch {
    return { lang: 'en', theme: 'light' };
  }
}

/** Applies (and, for a signed-in user, keeps) a language and theme. */
export function applyPrefs(username: string | null, p: { lang: Lang; theme: Theme }): void {
  lang = p.lang;
  document.documentElement.lang = p.lang === 'zh' ? 'zh-CN' : 'en';
  document.documentElement.dataset.theme = p.theme;
  if (username !== null) localStorage.setItem(PREFS + username, JSON.stringify(p));
  for (const s of subscribers) s();
}

export function currentLang(): Lang {
  return lang;
}

/** Re-renders a component when the language changes. */
export function useLang(): Lang {
  const [, set] = useState(0);
  useEffect(() => {
    const s = (): void => set((n) => n + 1);
    subscribers.add(s);
    return () => void subscribers.delete(s);
  }, []);
  return lang;
}

/** The locale dates and numbers are written in: Chinese conventions for Chinese, the browser's own for English. */
function locale(): string | undefined {
  return lang === 'zh' ? 'zh-CN' : undefined;
}
/** A moment in the user's locale; with a time zone (a customer's), on that zone's clock and named. */
export function fmtTime(ms: number | null | undefined, timeZone?: string): string {
  if (ms == null) return '—';
  try {
    // Spelled out: `dateStyle` cannot be combined with `timeZoneName` (that threw, and every
    // customer-zone time fell back to the user's own clock without saying so).
    if (timeZone !== undefined) return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(ms);
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
  } catch {
    // A zone this browser does not know: the user's own clock rather than nothing.
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
  }
}
/** A percentage (0–100) in the user's locale: "85%" in English, "85%" with Chinese grouping in Chinese. */
export const fmtPercent = (n: number | null | undefined, digits = 0): string => (n == null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(n / 100));

/** A calendar day given as YYYY-MM-DD (a visit day, a forecast day), in the user's locale with its weekday: no time zone moves it. */
export function fmtCalendarDay(ymd: string, withYear = true): string {
  const ms = Date.parse(`${ymd}T00:00:00Z`);
  if (Number.isNaN(ms)) return ymd;
  return new Intl.DateTimeFormat(locale(), { weekday: 'short', month: 'short', day: 'numeric', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(ms);
}

/** A wall-clock time given as HH:MM, as the user's locale writes it (24 h in Chinese, 12 h in US English…). */
export function fmtClock(hhmm: string): string {
  const [h = NaN, m = NaN] = hhmm.split(':').map(Number);
  if (Number.isNaN(h) || Number.isNaN(m)) return hhmm;
  return new Intl.DateTimeFormat(locale(), { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, h, m));
}

/** Today's date (YYYY-MM-DD) on a time zone's clock; the user's own zone when it is unknown. */
export function todayIn(timeZone: string | undefined, now = Date.now()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

/** A UTC day (the API's daily groups) in the user's locale, without the year. */
export const fmtDay = (ms: number): string => new Intl.DateTimeFormat(locale(), { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(ms);
export const fmtShort = (ms: number): string => new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ms);
export const fmtNumber = (n: number | null | undefined, digits = 1): string => (n == null ? '—' : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n));
export function fmtDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  const h = ms / 3_600_000;
  return h >= 48 ? `${fmtNumber(h / 24)} d` : h >= 1 ? `${fmtNumber(h)} h` : `${fmtNumber(ms / 60_000, 0)} min`;
}

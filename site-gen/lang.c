/*
 * The site's two languages. Messages are keyed by their English text, so the English site needs
 * no table and a missing Chinese entry shows up as English in review, not as a blank.
 */
#include "site_int.h"

#include <string.h>

const site_lang site_zh = { "zh-CN", "", 0 };
const site_lang site_en = { "en", "en/", 1 };

static const char *const zh[][2] = {
	{ "Changzhi childcare and community services", "长治托育与社区服务" },
	{ "Skip to content", "跳到正文" },
	{ "Home", "首页" },
	{ "Centres", "托育机构" },
	{ "County coverage", "各县覆盖" },
	{ "Volunteer services", "志愿服务" },
	{ "Events", "活动" },
	{ "Search", "搜索" },
	{ "About", "关于" },
	{ "Accessibility", "无障碍声明" },
	{ "Open data", "开放数据" },
	{ "Large text", "长辈版（大字）" },
	{ "Main menu", "主菜单" },
	{ "Centres open", "开放的托育机构" },
	{ "Places", "托位" },
	{ "Vacancies now", "现有空位" },
	{ "Affordable share", "普惠托位占比" },
	{ "Requests solved this year", "今年解决的求助" },
	{ "Upcoming events", "近期活动" },
	{ "No upcoming events.", "暂无近期活动。" },
	{ "Figures", "数据一览" },
	{ "Figure", "指标" },
	{ "Value", "数值" },
	{ "Data updated", "数据更新于" },
	{ "County", "县区" },
	{ "Status", "状态" },
	{ "Opening date", "开园日期" },
	{ "Demonstration centre", "示范托育机构" },
	{ "not registered yet", "尚未登记" },
	{ "Age band with vacancies", "有空位的年龄段" },
	{ "Care type", "托育类型" },
	{ "All centres", "全部机构" },
	{ "Filter", "筛选" },
	{ "Show", "显示" },
	{ "any", "不限" },
	{ "centres match", "家机构符合" },
	{ "No centre matches.", "没有符合条件的机构。" },
	{ "Address", "地址" },
	{ "Hours", "开放时间" },
	{ "Phone", "电话" },
	{ "Operator", "性质" },
	{ "Affordable (普惠)", "普惠" },
	{ "yes", "是" },
	{ "no", "否" },
	{ "Classes", "班级" },
	{ "Class", "班级" },
	{ "Age band", "年龄段" },
	{ "Capacity", "容量" },
	{ "Vacancies", "空位" },
	{ "Care offers and fees", "托育服务与收费" },
	{ "Service", "服务" },
	{ "Fee", "收费" },
	{ "Notes", "说明" },
	{ "Partners", "合作机构" },
	{ "Partner", "合作方" },
	{ "Since", "起始" },
	{ "Services", "服务内容" },
	{ "Floor area", "建筑面积" },
	{ "Site area", "占地面积" },
	{ "Kind", "类型" },
	{ "Contact", "联系方式" },
	{ "Warning: this centre has not synced its data for more than 14 days; figures may be out of date. Please phone to confirm.",
		"提示：本机构已超过14天未同步数据，信息可能已过期，请先电话确认。" },
	{ "Warning: this centre has never synced its data; figures come from registration only. Please phone to confirm.",
		"提示：本机构尚未同步过数据，信息仅来自登记，请先电话确认。" },
	{ "never", "从未" },
	{ "Service types", "服务项目" },
	{ "Stations", "志愿服务站" },
	{ "Teams", "志愿服务队" },
	{ "Team", "服务队" },
	{ "Members", "人数" },
	{ "How to ask for help", "如何求助" },
	{ "Requests solved per type and month", "每月按类型解决的求助" },
	{ "Requests solved per month", "每月解决的求助" },
	{ "Month", "月份" },
	{ "Solved", "已解决" },
	{ "Total", "合计" },
	{ "Places and vacancies per county", "各县托位与空位" },
	{ "No data yet.", "暂无数据。" },
	{ "Starts", "开始" },
	{ "Ends", "结束" },
	{ "Place", "地点" },
	{ "Audience", "对象" },
	{ "Organiser", "主办" },
	{ "Add to calendar (.ics)", "加入日历（.ics）" },
	{ "Past events", "往期活动" },
	{ "Events feed (Atom)", "活动订阅（Atom）" },
	{ "Page not found", "页面未找到" },
	{ "Search centres, events and services", "搜索机构、活动与服务" },
	{ "Search words", "搜索词" },
	{ "Results", "结果" },
	{ "Without JavaScript, browse the full list:", "未启用 JavaScript 时，可浏览完整列表：" },
	{ "Everything on this site", "全站目录" },
	{ "Other places", "其他机构" },
	{ "Chinese", "中文" },
	{ "English", "English" },
	{ "Language", "语言" },
	{ "Chart", "图表" },
	{ "data table", "数据表" },
	{ "File", "文件" },
	{ "Format", "格式" },
	{ "Aggregates", "汇总数据" },
	{ "Back to the home page", "返回首页" },
	{ "Programme", "示范项目" },
	{ "Table", "数据表" },
	{ "Description", "简介" },
	{ "Map position", "坐标" },
	{ "per", "/" },
	{ "yuan", "元" },
};

static const char *const enums[][4] = {
	{ "status", "planned", "规划中", "Planned" },
	{ "status", "building", "建设中", "Under construction" },
	{ "status", "open", "开放", "Open" },
	{ "status", "paused", "暂停", "Paused" },
	{ "status", "closed", "已关闭", "Closed" },
	{ "kind", "office", "卫健部门", "Health office" },
	{ "kind", "childcare_centre", "托育机构", "Childcare centre" },
	{ "kind", "volunteer_station", "志愿服务站", "Volunteer station" },
	{ "kind", "volunteer_team", "志愿服务队", "Volunteer team" },
	{ "kind", "community_centre", "社区", "Community centre" },
	{ "kind", "hospital", "医院", "Hospital" },
	{ "kind", "special_care_centre", "特殊儿童托养机构", "Special care centre" },
	{ "operator", "public", "公办", "Public" },
	{ "operator", "private", "民办", "Private" },
	{ "operator", "public_private", "公建民营", "Public–private" },
	{ "band", "0-1", "0–1岁（乳儿班）", "0–1 years" },
	{ "band", "1-2", "1–2岁（托小班）", "1–2 years" },
	{ "band", "2-3", "2–3岁（托大班）", "2–3 years" },
	{ "care", "full_day", "全日托", "Full-day care" },
	{ "care", "temporary", "临时托", "Temporary care" },
	{ "care", "hourly", "小时托", "Hourly care" },
	{ "audience", "parents", "家长", "Parents" },
	{ "audience", "elderly", "老年人", "Elderly residents" },
	{ "audience", "children", "儿童", "Children" },
	{ "audience", "all", "所有人", "Everyone" },
	{ "event", "health_lecture", "健康讲座", "Health lecture" },
	{ "event", "free_clinic", "义诊", "Free clinic" },
	{ "event", "parenting_class", "育儿课堂", "Parenting class" },
	{ "event", "volunteer_activity", "志愿活动", "Volunteer activity" },
	{ "event", "community_activity", "社区活动", "Community activity" },
	{ "unit", "month", "月", "month" },
	{ "unit", "day", "天", "day" },
	{ "unit", "hour", "小时", "hour" },
	{ "unit", "visit", "次", "visit" },
	{ "partner", "medical", "医育结合", "Medical" },
	{ "partner", "education", "教育", "Education" },
	{ "partner", "volunteer", "志愿服务", "Volunteer" },
};

const char *site_l(const site_lang *l, const char *key)
{
	size_t i;

	if (l->en)
		return key;
	for (i = 0; i < sizeof zh / sizeof zh[0]; i++)
		if (strcmp(zh[i][0], key) == 0)
			return zh[i][1];
	return key;
}

const char *site_enum(const site_lang *l, const char *what, const char *value)
{
	size_t i;

	if (!value)
		return "";
	for (i = 0; i < sizeof enums / sizeof enums[0]; i++)
		if (strcmp(enums[i][0], what) == 0 && strcmp(enums[i][1], value) == 0)
			return enums[i][l->en ? 3 : 2];
	return value;
}

const char *site_name(const site_lang *l, const char *name, const char *name_en)
{
	if (l->en && name_en && *name_en)
		return name_en;
	return name ? name : "";
}

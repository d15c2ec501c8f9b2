/** Announcements to partners (CONTRACT-PRM §1). Pure. */

export const MAX_ANNOUNCEMENT_TITLE = 200;
export const MAX_ANNOUNCEMENT_BODY = 20_000;

/** The announcement as the API (and the `announcement.published` event) shows it. */
export function announcementObject(a: { id: string; programId: string; title: string; body: string; tierIds: string[] | null; createdAt: number }) {
  return { id: a.id, programId: a.programId, title: a.title, body: a.body, tierIds: a.tierIds, publishedAt: new Date(a.createdAt).toISOString() };
}

/** The tier ids once each, in the order given; null (everyone) when absent. */
export const distinctTierIds = (ids: readonly string[] | undefined): string[] | null => (ids === undefined ? null : [...new Set(ids)]);

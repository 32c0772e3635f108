"""Hand-written grouped SQL for every default rule (fixtures/default_rules.json): per rule, how many
rule × subject × period cells of the year are met ("done") — what the engine must also find.

Each statement takes %(path)s (the root's path), %(start)s, %(end)s, %(as_of)s and returns one row (done).
Subjects count only where their unit is tracked for the whole period (the nearest ancestor's tracked_since);
records count when dated inside the period and not after as_of.
"""

UNITS = """
units AS (
  SELECT u.id, u.path,
         (SELECT a.tracked_since FROM org_unit a
          WHERE a.path IN (SELECT left(u.path, 4 * g) FROM generate_series(1, u.depth) g)
            AND a.tracked_since IS NOT NULL ORDER BY a.depth DESC LIMIT 1) AS tracked
  FROM org_unit u WHERE u.path LIKE %(path)s || '%%'),
tracked AS (SELECT id FROM units WHERE tracked <= %(start)s)"""

# Party life from the members' events (membership.selectors, the same state machine): each event's state after it
# (organisation, status), stepped through in order per person by a recursive CTE; a state lasts until the day
# before the next event. People without any event count from their Person row (member_since … left_on − 1).
LIFE = """
ev AS (SELECT e.id, e.person_id, e.kind, e.date, e.party_org_id, NULLIF(e.status, '') AS status,
              row_number() OVER (PARTITION BY e.person_id ORDER BY e.date NULLS FIRST, e.id) AS n
       FROM membership_membershipevent e),
life (person_id, n, d, org, status, last_org) AS (
  SELECT DISTINCT person_id, 0::bigint, NULL::date, NULL::bigint, NULL::text, NULL::bigint FROM ev
  UNION ALL
  SELECT e.person_id, e.n, e.date, x.org, x.status, COALESCE(x.org, l.last_org)
  FROM life l JOIN ev e ON e.person_id = l.person_id AND e.n = l.n + 1
  CROSS JOIN LATERAL (SELECT
    CASE WHEN e.kind IN ('enrolled', 'admitted', 'transfer') THEN e.party_org_id
         WHEN e.kind = 'full' THEN COALESCE(e.party_org_id, l.org)
         WHEN e.kind IN ('suspended', 'expelled', 'died') THEN NULL
         WHEN e.kind = 'restored' THEN COALESCE(e.party_org_id, l.last_org)
         ELSE l.org END AS org,
    CASE WHEN e.kind IN ('enrolled', 'restored') THEN COALESCE(e.status, 'member')
         WHEN e.kind = 'admitted' THEN 'probationary'
         WHEN e.kind = 'full' THEN 'member'
         WHEN e.kind = 'transfer' THEN CASE WHEN e.party_org_id IS NULL THEN NULL
                                            ELSE COALESCE(l.status, e.status, 'member') END
         WHEN e.kind IN ('suspended', 'expelled', 'died') THEN NULL
         ELSE l.status END AS status) x),
stints AS (
  SELECT person_id, org, status, s, e FROM (
    SELECT person_id, n, org, status, d AS s,
           lead(d) OVER (PARTITION BY person_id ORDER BY n) - 1 AS e FROM life WHERE n > 0) t
  WHERE org IS NOT NULL AND status IS NOT NULL AND (s IS NULL OR e IS NULL OR e >= s)),
roll AS (  -- every organisation's members over time: stints, and the people without events
  SELECT person_id, org, status, s, e FROM stints
  UNION ALL
  SELECT p.id, p.party_org_id, p.party_status, p.member_since, p.left_on - 1 FROM org_person p
  WHERE p.party_status IN ('member', 'probationary') AND p.party_org_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM membership_membershipevent x WHERE x.person_id = p.id))"""

PERIODS = {  # cadence → (bucket expression over column d, periods in the year)
    "week": "date_trunc('week', {d})",
    "month": "date_trunc('month', {d})",
    "two_months": "(EXTRACT(MONTH FROM {d})::int - 1) / 2",
    "quarter": "date_trunc('quarter', {d})",
    "year": "date_trunc('year', {d})",
}


def _count(subjects: str, records: str, link: str, cadence: str, minimum: int, *, weeks: bool = False,
           life: bool = False) -> str:
    """Subjects (id) × periods; records (link, d) grouped by link and period; done = cells with ≥ minimum.
    Weeks belong to the year of their Monday: only weeks whose Monday lies in the year count."""
    bucket = PERIODS[cadence].format(d="d")
    # a week belongs to the year its Monday lies in, and runs to its Sunday (possibly in the next year)
    week_filter = " AND date_trunc('week', d) BETWEEN %(start)s AND %(end)s" if weeks else ""
    last = "%(end)s::date + 6" if weeks else "%(end)s"
    return f"""
WITH RECURSIVE {UNITS},{LIFE + "," if life else ""}
subjects AS ({subjects}),
recs AS ({records}),
cells AS (SELECT r.link, {bucket} AS b, COUNT(*) AS n FROM recs r
          WHERE r.link IN (SELECT id FROM subjects) AND r.d BETWEEN %(start)s AND LEAST({last}, %(as_of)s){week_filter}
          GROUP BY 1, 2)
SELECT COUNT(*) FROM cells WHERE n >= {minimum}"""


def _orgs(kinds: str, extra: str = "") -> str:
    return (f"SELECT o.id, o.unit_id, o.secretary_id FROM org_partyorg o WHERE o.unit_id IN (SELECT id FROM tracked) "
            f"AND o.kind IN ({kinds}){extra}")


WITH_COMMITTEE = " AND EXISTS (SELECT 1 FROM org_partyorg_committee_members m WHERE m.partyorg_id = o.id)"
ACT = "SELECT party_org_id AS link, date AS d FROM partybuilding_branchactivity WHERE kind = '{kind}'"
STUDY_BY_UNIT = ("SELECT s.id AS link, r.date AS d FROM partybuilding_studysession r "
                 "JOIN org_partyorg s ON s.unit_id = r.unit_id AND s.kind = 'committee' WHERE {where}")
REPORT_BY_UNIT = ("SELECT s.id AS link, r.date AS d FROM ideology_ideologyreport r "
                  "JOIN org_partyorg s ON s.unit_id = r.unit_id AND s.kind = 'committee' WHERE r.kind = '{kind}'")

STATEMENTS = {
    "branch.general_meeting": _count(_orgs("'branch'"), ACT.format(kind="general_meeting"), "party_org", "quarter", 1),
    "branch.committee_meeting": _count(_orgs("'branch'", WITH_COMMITTEE), ACT.format(kind="committee_meeting"),
                                       "party_org", "month", 1),
    "branch.group_meeting": _count(_orgs("'group'"), ACT.format(kind="group_meeting"), "party_org", "month", 1),
    "branch.party_lecture": _count(_orgs("'branch'"), ACT.format(kind="party_lecture"), "party_org", "quarter", 1),
    "secretary.party_lecture": _count(
        _orgs("'committee', 'general_branch', 'branch'", " AND o.secretary_id IS NOT NULL"),
        "SELECT a.party_org_id AS link, a.date AS d FROM partybuilding_branchactivity a "
        "JOIN org_partyorg o ON o.id = a.party_org_id AND o.secretary_id = a.lecturer_id WHERE a.kind = 'party_lecture'",
        "party_org", "year", 1),
    "branch.themed_day": _count(_orgs("'branch'"), ACT.format(kind="themed_day"), "party_org", "month", 1),
    "branch.org_life_meeting": _count(_orgs("'branch'"), ACT.format(kind="org_life_meeting"), "party_org", "year", 1),
    "branch.member_appraisal": _count(_orgs("'branch'"), ACT.format(kind="member_appraisal"), "party_org", "year", 1),
    "branch.heart_talk": _count(
        # Party members for the whole year, from their Party-life events (any organisation, full or probationary:
        # the stints cover every day of the year); people without events from their Person row; employed all year
        "SELECT p.id FROM org_person p WHERE p.unit_id IN (SELECT id FROM tracked) "
        "AND (p.joined_on IS NULL OR p.joined_on <= %(start)s) AND (p.left_on IS NULL OR p.left_on > %(end)s) "
        "AND (p.id IN (SELECT person_id FROM stints GROUP BY person_id HAVING SUM("
        "      LEAST(COALESCE(e, %(end)s), %(end)s) - GREATEST(COALESCE(s, %(start)s), %(start)s) + 1) FILTER ("
        "      WHERE COALESCE(s, %(start)s) <= %(end)s AND COALESCE(e, %(end)s) >= %(start)s)"
        "      = %(end)s::date - %(start)s::date + 1)"
        "  OR (p.party_status IN ('member', 'probationary') AND p.party_org_id IS NOT NULL "
        "      AND (p.member_since IS NULL OR p.member_since <= %(start)s) "
        "      AND NOT EXISTS (SELECT 1 FROM membership_membershipevent x WHERE x.person_id = p.id)))",
        "SELECT t.person_id AS link, a.date AS d FROM partybuilding_branchactivity a "
        "JOIN partybuilding_branchactivity_attendees t ON t.branchactivity_id = a.id WHERE a.kind = 'heart_talk'",
        "attendees", "year", 1, life=True),
    "study.central_group": _count(_orgs("'committee'"), STUDY_BY_UNIT.format(
        where="r.kind IN ('central_group', 'central_group_seminar')"), "unit", "two_months", 1),
    "study.central_group_ideology": _count(_orgs("'committee'"), STUDY_BY_UNIT.format(
        where="r.kind IN ('central_group', 'central_group_seminar') AND r.is_ideology"), "unit", "year", 2),
    "study.follow_up": _count(_orgs("'committee'"), STUDY_BY_UNIT.format(where="r.kind = 'follow_up'"), "unit", "week",
                              1, weeks=True),
    "contact.research": _count(
        "SELECT c.id FROM partybuilding_contactpoint c WHERE c.unit_id IN (SELECT id FROM tracked) "
        "AND c.date <= %(start)s AND (c.end_date IS NULL OR c.end_date >= %(end)s)",
        "SELECT contact_point_id AS link, date AS d FROM partybuilding_contactvisit WHERE kind = 'research'",
        "contact_point", "month", 1),
    "contact.supervision": _count(
        "SELECT c.id FROM partybuilding_contactpoint c WHERE c.unit_id IN (SELECT id FROM tracked) "
        "AND c.date <= %(start)s AND (c.end_date IS NULL OR c.end_date >= %(end)s)",
        "SELECT contact_point_id AS link, date AS d FROM partybuilding_contactvisit WHERE kind = 'supervision'",
        "contact_point", "week", 1, weeks=True),
    "integrity.letters": _count(
        "SELECT u.id FROM org_unit u WHERE u.id IN (SELECT id FROM tracked) AND u.kind = 'plant' "
        "AND u.category = 'grassroots'",
        "SELECT unit_id AS link, date AS d FROM integrity_responsibilityletter WHERE kind = 'two_responsibilities'",
        "unit", "year", 1),
    "integrity.routine_talk": _count(
        # levels=leadership,middle (held for the whole year) or key posts, minus the committees' secretaries
        "SELECT p.id FROM org_person p WHERE p.unit_id IN (SELECT id FROM tracked) "
        "AND (p.left_on IS NULL OR p.left_on > %(end)s) AND (p.joined_on IS NULL OR p.joined_on <= %(start)s) "
        "AND p.id NOT IN (SELECT secretary_id FROM org_partyorg WHERE kind = 'committee' AND secretary_id IS NOT NULL) "
        "AND (p.is_key_post OR EXISTS (SELECT 1 FROM cadres_appointment a WHERE a.person_id = p.id "
        "  AND a.level IN ('leadership', 'middle') AND a.date <= %(start)s AND (a.ended_on IS NULL OR a.ended_on >= %(end)s)) "
        "  OR (p.cadre_level IN ('leadership', 'middle') AND NOT EXISTS (SELECT 1 FROM cadres_appointment a "
        "      WHERE a.person_id = p.id AND a.level IN ('leadership', 'middle'))))",
        "SELECT t.person_id AS link, a.date AS d FROM integrity_integritytalk a "
        "JOIN integrity_integritytalk_people t ON t.integritytalk_id = a.id WHERE a.kind = 'routine'",
        "people", "year", 1),
    "ideology.committee_study": _count(_orgs("'committee'"),
                                       "SELECT s.id AS link, r.date AS d FROM partybuilding_agendaitem r JOIN org_partyorg s "
                                       "ON s.unit_id = r.unit_id AND s.kind = 'committee' WHERE r.kind = 'ideology'",
                                       "unit", "year", 2),
    "ideology.report_up": _count(_orgs("'committee'"), REPORT_BY_UNIT.format(kind="thematic_report"), "unit", "quarter", 1),
    "ideology.analysis": _count(_orgs("'committee'"), REPORT_BY_UNIT.format(kind="analysis"), "unit", "quarter", 1),
    "ideology.bulletin": _count(_orgs("'committee'"), REPORT_BY_UNIT.format(kind="bulletin"), "unit", "quarter", 1),
    # --- event checks
    "study.first_agenda": f"""
WITH {UNITS}
SELECT COUNT(*) FROM partybuilding_committeemeeting m
WHERE m.unit_id IN (SELECT id FROM tracked) AND m.date BETWEEN %(start)s AND %(end)s
  AND EXISTS (SELECT 1 FROM partybuilding_studysession s WHERE s.meeting_id = m.id AND s.kind = 'first_agenda'
              AND s.date <= %(as_of)s)""",
    "governance.pre_review": f"""
WITH {UNITS}
SELECT COUNT(*) FROM governance_majormatter m JOIN units u ON u.id = m.unit_id
WHERE m.unit_id IN (SELECT id FROM tracked) AND m.date BETWEEN %(start)s AND %(end)s
  AND EXISTS (SELECT 1 FROM governance_prereviewrule r JOIN org_unit ru ON ru.id = r.unit_id
              WHERE u.path LIKE ru.path || '%%' AND r.category = m.category AND r.matter_type = m.matter_type
                AND (r.threshold IS NULL OR m.amount >= r.threshold) AND r.date <= m.date
                AND (r.effective_to IS NULL OR m.date <= r.effective_to))
  AND EXISTS (SELECT 1 FROM governance_prereview p WHERE p.matter_id = m.id AND p.date < m.date
              AND p.date <= %(as_of)s)""",
    "integrity.pre_appointment_talk": f"""
WITH {UNITS}
SELECT COUNT(*) FROM cadres_appointment a
WHERE a.unit_id IN (SELECT id FROM tracked) AND a.date BETWEEN %(start)s AND %(end)s
  AND EXISTS (SELECT 1 FROM integrity_integritytalk t JOIN integrity_integritytalk_people tp ON tp.integritytalk_id = t.id
              WHERE tp.person_id = a.person_id AND t.kind IN ('pre_appointment', 'collective_pre_appointment')
                AND t.date BETWEEN a.date - 180 AND a.date AND t.date <= %(as_of)s)""",
    "integrity.rectification": f"""
WITH {UNITS}
SELECT COUNT(*) FROM integrity_rectification r
WHERE r.unit_id IN (SELECT id FROM tracked) AND r.date <= %(end)s
  AND r.deadline BETWEEN %(start)s AND %(end)s
  AND r.status <> 'open' AND r.completed_on <= %(as_of)s AND r.completed_on <= r.deadline""",
    "branch.quorum": f"""
WITH RECURSIVE {UNITS},{LIFE},
acts AS (SELECT a.id, a.kind, a.date, a.party_org_id, NULLIF(a.expected_count, 0) AS typed,
                CASE WHEN EXISTS (SELECT 1 FROM membership_attendance x WHERE x.activity_id = a.id)
                     THEN (SELECT COUNT(*) FROM membership_attendance x WHERE x.activity_id = a.id
                           AND x.status = 'present')
                     ELSE (SELECT COUNT(*) FROM partybuilding_branchactivity_attendees t
                           WHERE t.branchactivity_id = a.id) END AS present
         FROM partybuilding_branchactivity a
         WHERE a.unit_id IN (SELECT id FROM tracked) AND a.date BETWEEN %(start)s AND %(end)s
           AND a.date <= %(as_of)s AND a.kind IN ('general_meeting', 'committee_meeting')),
on_roll AS (  -- members that day (voting: 正式党员 only, for 党员大会)
  SELECT a.id, COUNT(r.person_id) AS n FROM partybuilding_branchactivity a
  JOIN roll r ON r.org = a.party_org_id AND (r.s IS NULL OR r.s <= a.date) AND (r.e IS NULL OR r.e >= a.date)
  WHERE a.kind = 'general_meeting' AND a.date BETWEEN %(start)s AND %(end)s AND r.status = 'member'
  GROUP BY a.id),
seats AS (  -- committee members that day: dated posts where the organisation has any, else today's committee
  SELECT a.id,
         CASE WHEN EXISTS (SELECT 1 FROM membership_orgpost o WHERE o.party_org_id = a.party_org_id)
              THEN (SELECT COUNT(DISTINCT o.person_id) FROM membership_orgpost o
                    WHERE o.party_org_id = a.party_org_id AND o.role IN ('secretary', 'deputy', 'member')
                      AND (o.start_on IS NULL OR o.start_on <= a.date) AND (o.end_on IS NULL OR o.end_on >= a.date))
              ELSE (SELECT COUNT(*) FROM org_partyorg_committee_members m WHERE m.partyorg_id = a.party_org_id)
         END AS n
  FROM acts a WHERE a.typed IS NULL AND a.kind = 'committee_meeting')
SELECT COUNT(*) FROM acts a LEFT JOIN on_roll r ON r.id = a.id LEFT JOIN seats c ON c.id = a.id
WHERE a.present * 2 > COALESCE(a.typed, c.n, r.n, 0) AND COALESCE(a.typed, c.n, r.n, 0) > 0""",
    "branch.structure": f"""
WITH {UNITS},
s AS (SELECT o.id,
             (SELECT COUNT(*) FROM org_person p WHERE p.party_org_id = o.id AND p.left_on IS NULL
                AND p.party_status = 'member') AS full_members,
             (SELECT COUNT(*) FROM org_person p WHERE p.party_org_id = o.id AND p.left_on IS NULL
                AND p.party_status IN ('member', 'probationary')) AS members,
             EXISTS (SELECT 1 FROM org_partyorg_committee_members m WHERE m.partyorg_id = o.id) AS has_committee
      FROM org_partyorg o WHERE o.kind = 'branch' AND o.unit_id IN (SELECT id FROM tracked))
SELECT COUNT(*) FROM s WHERE full_members >= 3 AND NOT (full_members >= 7 AND NOT has_committee) AND members <= 50""",
}


def reference_counts(connection, params: dict) -> dict[str, int]:
    """Each rule's done cells by its hand-written statement (the benchmarks' reference)."""
    out = {}
    with connection.cursor() as cur:
        for rule_id, sql in STATEMENTS.items():
            cur.execute(sql, params)
            out[rule_id] = cur.fetchone()[0]
    return out

-- Every figure of the built-in duty-report template for one unit's subtree and one year, written by hand.
-- Parameters: %(path)s unit path, %(start)s/%(end)s the year, %(prev_end)s the year before's last day,
-- %(cpath)s the contact plant's path. One statement, one row, one column per figure.
WITH u AS (SELECT id FROM org_unit WHERE path LIKE %(path)s || '%%'),
cu AS (SELECT id FROM org_unit WHERE path LIKE %(cpath)s || '%%'),
ss AS (SELECT kind FROM partybuilding_studysession
       WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s),
ins AS (SELECT kind FROM integrity_inspection
        WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s),
talks AS (SELECT id, kind FROM integrity_integritytalk
          WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s),
routine_people AS (SELECT DISTINCT tp.person_id FROM integrity_integritytalk_people tp
                   JOIN talks t ON t.id = tp.integritytalk_id AND t.kind = 'routine'),
required AS (SELECT p.id FROM org_person p
             WHERE p.unit_id IN (SELECT id FROM u)
               AND (p.cadre_level IN ('leadership', 'middle') OR p.is_key_post)
               AND (p.left_on IS NULL OR p.left_on > %(end)s) AND (p.joined_on IS NULL OR p.joined_on <= %(end)s)),
mid_now AS (SELECT DISTINCT a.person_id, EXTRACT(YEAR FROM p.birth_date) BETWEEN 1980 AND 1989 AS born80s
            FROM cadres_appointment a JOIN org_person p ON p.id = a.person_id
            WHERE a.level = 'middle' AND a.unit_id IN (SELECT id FROM u) AND a.date <= %(end)s
              AND (a.ended_on IS NULL OR a.ended_on > %(end)s)),
mid_before AS (SELECT DISTINCT a.person_id, EXTRACT(YEAR FROM p.birth_date) BETWEEN 1980 AND 1989 AS born80s
               FROM cadres_appointment a JOIN org_person p ON p.id = a.person_id
               WHERE a.level = 'middle' AND a.unit_id IN (SELECT id FROM u) AND a.date <= %(prev_end)s
                 AND (a.ended_on IS NULL OR a.ended_on > %(prev_end)s)),
appt AS (SELECT a.level, a.kind, a.unit_id, p.birth_date, p.education FROM cadres_appointment a
         JOIN org_person p ON p.id = a.person_id
         WHERE a.unit_id IN (SELECT id FROM u UNION SELECT id FROM cu) AND a.date BETWEEN %(start)s AND %(end)s),
posts AS (SELECT COUNT(*) AS n, SUM(reads) AS reads, SUM(likes) AS likes FROM ideology_mediapost
          WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s)
SELECT
  (SELECT COUNT(*) FROM ss WHERE kind = 'follow_up') AS "study.follow_up",
  (SELECT COUNT(*) FROM ss WHERE kind = 'central_group_seminar') AS "study.central_group_seminar",
  (SELECT COUNT(*) FROM ss WHERE kind = 'first_agenda') AS "study.first_agenda",
  (SELECT COUNT(*) FROM governance_prereview
    WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s) AS "governance.pre_reviews",
  (SELECT COUNT(*) FROM partybuilding_cobuildingactivity
    WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s) AS "cobuilding.activities",
  (SELECT COUNT(*) FROM partybuilding_externalvisit
    WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s) AS "external_visits",
  (SELECT COUNT(*) FROM cadres_recruitment r JOIN org_person p ON p.id = r.person_id
    WHERE r.unit_id IN (SELECT id FROM u) AND r.date BETWEEN %(start)s AND %(end)s
      AND p.double_first_class) AS "recruitment.double_first_class",
  (SELECT COUNT(*) FROM appt WHERE unit_id IN (SELECT id FROM u) AND level = 'leadership' AND kind = 'promotion'
      AND EXTRACT(YEAR FROM birth_date) BETWEEN 1980 AND 1989) AS "cadres.leadership_promoted_80s",
  (SELECT COUNT(*) FROM appt WHERE unit_id IN (SELECT id FROM u) AND level = 'middle' AND kind = 'promotion')
    AS "cadres.middle_promoted",
  (SELECT COUNT(*) FROM cadres_reserveentry r JOIN org_person p ON p.id = r.person_id
    WHERE r.unit_id IN (SELECT id FROM u) AND r.date BETWEEN %(start)s AND %(end)s AND r.action = 'enter'
      AND EXTRACT(YEAR FROM p.birth_date) BETWEEN 1990 AND 1999) AS "cadres.reserve_entered_90s",
  ROUND((SELECT ROUND(100.0 * COUNT(*) FILTER (WHERE born80s) / NULLIF(COUNT(*), 0), 1) FROM mid_now)
      - (SELECT ROUND(100.0 * COUNT(*) FILTER (WHERE born80s) / NULLIF(COUNT(*), 0), 1) FROM mid_before), 1)
    AS "cadres.middle_80s_share_change",
  (SELECT COUNT(*) FROM ins WHERE kind = 'safety_production') AS "integrity.inspections.safety_production",
  (SELECT COUNT(*) FROM ins WHERE kind = 'wage_distribution') AS "integrity.inspections.wage_distribution",
  (SELECT COUNT(*) FROM ins WHERE kind = 'bidding') AS "integrity.inspections.bidding",
  (SELECT COUNT(*) FROM ins WHERE kind = 'other') AS "integrity.inspections.other",
  (SELECT COUNT(*) FROM talks WHERE kind = 'routine') AS "integrity.routine_talks",
  (SELECT COUNT(*) FROM routine_people) AS "integrity.routine_talk_people",
  (SELECT COUNT(*) FROM integrity_integritytalk_people tp JOIN talks t ON t.id = tp.integritytalk_id
    WHERE t.kind = 'collective_pre_appointment') AS "integrity.collective_pre_appointment_person_times",
  (SELECT ROUND(100.0 * COUNT(*) FILTER (WHERE id IN (SELECT person_id FROM routine_people))
                / NULLIF(COUNT(*), 0), 1) FROM required) AS "integrity.talk_coverage",
  (SELECT n FROM posts) AS "media.posts",
  (SELECT reads FROM posts) AS "media.reads",
  (SELECT likes FROM posts) AS "media.likes",
  (SELECT COUNT(*) FROM ideology_publication
    WHERE unit_id IN (SELECT id FROM u) AND date BETWEEN %(start)s AND %(end)s
      AND level IN ('central', 'provincial', 'group')) AS "publications.above_company",
  (SELECT COUNT(*) FROM appt WHERE unit_id IN (SELECT id FROM cu) AND level = 'middle' AND kind = 'promotion'
      AND EXTRACT(YEAR FROM birth_date) BETWEEN 1980 AND 1989 AND education IN ('postgraduate', 'doctorate'))
    AS "contact:cadres.middle_promoted_80s_postgrad"

-- SQL equivalent of the access-log rules (Rules/zugriff/, TW104–TW110 subset incl. the reference
-- lookups) over the generated Jobcenter CSV and Stammdaten, for the DuckDB comparison in
-- scripts/bench.sh. {{DIR}} is replaced by the corpus directory. Output: findings per rule.
CREATE TEMP TABLE secondments AS
  SELECT "Benutzerkennung" AS person, "Träger" AS traeger,
         strptime("Beginn", '%d.%m.%Y') AS start, strptime("Ende", '%d.%m.%Y') AS "end"
  FROM read_csv('{{DIR}}/Stammdaten/Abordnungen.csv', delim = ';', header = true, all_varchar = true);
CREATE TEMP TABLE agreements AS
  SELECT "Träger" AS traeger, "Gezeichnet durch Leitung" = 'ja' AS approved,
         strptime("Gültig von", '%d.%m.%Y') AS valid_from, strptime("Gültig bis", '%d.%m.%Y') AS valid_to
  FROM read_csv('{{DIR}}/Stammdaten/Vereinbarungen.csv', delim = ';', header = true, all_varchar = true, encoding = 'latin-1');
CREATE TEMP TABLE participants AS
  SELECT "Kunden-Nr." AS customer_number, "Teilnehmer-Nr." AS participant, "Träger" AS traeger,
         string_split("Beratende", ', ') AS counselors
  FROM read_csv('{{DIR}}/Stammdaten/Teilnehmende.csv', delim = ';', header = true, all_varchar = true, encoding = 'latin-1');

WITH access AS (
  SELECT strptime("Zeitpunkt", '%d.%m.%Y %H:%M:%S') AS time, "Benutzerkennung" AS actor,
         CASE "Organisation" WHEN 'JC' THEN 'jobcenter' WHEN 'TR' THEN 'traeger' ELSE 'other' END AS actor_org,
         "Verfahren" AS system,
         CASE "Aktion" WHEN 'Versand' THEN 'send' WHEN 'Export' THEN 'export' WHEN 'Download' THEN 'download'
                       WHEN 'Drucken' THEN 'print' WHEN 'Bescheid' THEN 'decide' WHEN 'Anmeldung' THEN 'login' ELSE 'other' END AS action,
         nullif("Kunden-Nr.", '') AS subject, "Arbeitsplatz" AS workstation,
         CASE "Netz" WHEN 'JC-Netz' THEN 'jobcenter' WHEN 'Träger-Netz' THEN 'traeger' ELSE 'extern' END AS network,
         nullif("Übertragungsweg", '') AS channel, nullif("Träger", '') AS traeger, nullif("Datenkategorie", '') AS category
  FROM read_csv('{{DIR}}/Jobcenter-Zugriffe.csv', delim = ';', header = true, all_varchar = true, encoding = 'latin-1')
)
SELECT 'TW101' AS rule, count(*) AS findings FROM access a
 WHERE a.actor_org = 'jobcenter' AND a.traeger IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM agreements g WHERE g.traeger = a.traeger AND a.time BETWEEN g.valid_from AND g.valid_to AND g.approved)
UNION ALL
SELECT 'TW102', count(*) FROM access a
 WHERE a.actor_org = 'jobcenter' AND a.traeger IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM secondments s WHERE s.person = a.actor AND s.traeger = a.traeger AND a.time BETWEEN s.start AND s."end")
UNION ALL
SELECT 'TW104', count(*) FROM access a
 WHERE a.actor_org = 'jobcenter' AND (a.network = 'traeger' OR a.workstation IN ('TR-PC-01','TR-PC-02','TR-PC-03','TR-PC-04','TR-PC-05','TR-PC-06','TR-PC-07','TR-PC-08','TR-PC-09','TR-PC-10'))
UNION ALL
SELECT 'TW106', count(*) FROM access a WHERE a.system <> 'eM@w' AND a.actor_org = 'traeger'
UNION ALL
SELECT 'TW107', count(*) FROM access a
 WHERE a.actor_org = 'jobcenter' AND a.traeger IS NOT NULL AND a.subject IS NOT NULL AND a.action <> 'login'
   AND NOT EXISTS (SELECT 1 FROM participants p WHERE (p.customer_number = a.subject OR p.participant = a.subject) AND p.traeger = a.traeger)
UNION ALL
SELECT 'TW108', count(*) FROM access a
 WHERE a.action = 'decide'
   AND EXISTS (SELECT 1 FROM participants p WHERE (p.customer_number = a.subject OR p.participant = a.subject) AND list_contains(p.counselors, a.actor))
UNION ALL
SELECT 'TW110', count(*) FROM access a
 WHERE a.action IN ('send','export','download','print') AND a.channel IS NOT NULL
   AND lower(a.channel) NOT IN ('em@w','e-mail (verschlüsselt)','e-mail (s/mime)','de-mail','egvp','bebpo','ba-intern','post','briefpost','persönliche übergabe')
   AND (a.subject IS NOT NULL OR a.category IS NOT NULL)
ORDER BY rule;

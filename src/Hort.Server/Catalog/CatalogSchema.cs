namespace Hort.Server.Catalog;

/// <summary>
/// The catalog's schema as numbered migrations, written once for both databases. <c>{id}</c> becomes an
/// auto-numbered 64-bit primary key in each dialect. Numbers are BIGINT (milliseconds since the Unix epoch for
/// times), flags are 0/1, IDs and JSON are TEXT.
/// </summary>
internal static class CatalogSchema
{
    public static readonly IReadOnlyList<string[]> Migrations =
    [
        // 1: the initial schema.
        [
            "CREATE TABLE admins (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created BIGINT NOT NULL)",
            "CREATE TABLE admin_tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires BIGINT NOT NULL)",
            "CREATE TABLE pc_groups (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, policy TEXT NULL)",
            """
            CREATE TABLE pcs (id TEXT PRIMARY KEY, name TEXT NOT NULL, hostname TEXT NOT NULL, group_id TEXT NULL,
                operating_system TEXT NOT NULL, agent_version TEXT NOT NULL, enrolled BIGINT NOT NULL, last_seen BIGINT NULL,
                credential_hash TEXT NULL, revoked BIGINT NOT NULL, policy TEXT NULL)
            """,
            """
            CREATE TABLE enrollment_codes (id TEXT PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, group_id TEXT NULL,
                pc_name TEXT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL, used BIGINT NULL, pc_id TEXT NULL,
                withdrawn BIGINT NOT NULL)
            """,
            """
            CREATE TABLE snapshots (id TEXT PRIMARY KEY, pc_id TEXT NOT NULL, time BIGINT NOT NULL, hostname TEXT NOT NULL,
                paths TEXT NOT NULL, tree TEXT NOT NULL, files BIGINT NOT NULL, total_bytes BIGINT NOT NULL)
            """,
            "CREATE INDEX snapshots_pc ON snapshots (pc_id, time)",
            "CREATE TABLE pc_blobs (pc_id TEXT NOT NULL, blob_id TEXT NOT NULL, PRIMARY KEY (pc_id, blob_id))",
            """
            CREATE TABLE sessions (id TEXT PRIMARY KEY, pc_id TEXT NOT NULL, state TEXT NOT NULL, created BIGINT NOT NULL,
                job_id TEXT NULL, paths TEXT NOT NULL, snapshot_id TEXT NULL)
            """,
            """
            CREATE TABLE jobs (id TEXT PRIMARY KEY, pc_id TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
                created BIGINT NOT NULL, started BIGINT NULL, finished BIGINT NULL, snapshot_id TEXT NULL, message TEXT NULL,
                payload TEXT NULL)
            """,
            "CREATE INDEX jobs_pc ON jobs (pc_id, created)",
            "CREATE TABLE job_log (id {id}, job_id TEXT NOT NULL, time BIGINT NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL)",
            "CREATE INDEX job_log_job ON job_log (job_id, id)",
            """
            CREATE TABLE audit (id {id}, time BIGINT NOT NULL, admin TEXT NOT NULL, remote_address TEXT NOT NULL,
                action TEXT NOT NULL, target TEXT NOT NULL)
            """,
        ],
        // 2: each PC's verified trees: subtrees checked in full when one of its snapshots was committed.
        [
            """
            CREATE TABLE pc_trees (pc_id TEXT NOT NULL, tree_id TEXT NOT NULL, snapshot_id TEXT NOT NULL, files BIGINT NOT NULL,
                PRIMARY KEY (pc_id, tree_id))
            """,
            "CREATE INDEX pc_trees_snapshot ON pc_trees (pc_id, snapshot_id)",
        ],
        // 3: alerts and the history of scheduled maintenance (retention, prune, verification).
        [
            """
            CREATE TABLE alerts (id {id}, kind TEXT NOT NULL, severity TEXT NOT NULL, pc_id TEXT NULL, subject TEXT NOT NULL,
                message TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, occurrences BIGINT NOT NULL,
                acknowledged_by TEXT NULL, acknowledged_at BIGINT NULL)
            """,
            "CREATE INDEX alerts_subject ON alerts (kind, subject)",
            """
            CREATE TABLE maintenance_runs (id {id}, kind TEXT NOT NULL, cause TEXT NOT NULL, started BIGINT NOT NULL,
                finished BIGINT NULL, result TEXT NOT NULL, summary TEXT NOT NULL)
            """,
            "CREATE INDEX maintenance_runs_kind ON maintenance_runs (kind, started)",
        ],
        // 4: server settings changed in the dashboard (e-mail), alert e-mails waiting to be sent, resolved condition
        // alerts, and the repository's size over time.
        [
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "ALTER TABLE alerts ADD COLUMN mail_due BIGINT NULL",
            "ALTER TABLE alerts ADD COLUMN mail_attempts BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE alerts ADD COLUMN mail_error TEXT NULL",
            "ALTER TABLE alerts ADD COLUMN mailed_at BIGINT NULL",
            "ALTER TABLE alerts ADD COLUMN resolved_at BIGINT NULL",
            "CREATE INDEX alerts_mail_due ON alerts (mail_due)",
            """
            CREATE TABLE storage_samples (time BIGINT PRIMARY KEY, repository_bytes BIGINT NOT NULL, packs BIGINT NOT NULL,
                protected_bytes BIGINT NOT NULL, free_bytes BIGINT NULL, capacity_bytes BIGINT NULL)
            """,
        ],
        // 5: dashboard users: role (admin | restore), two-factor secret (data-protected) with the last accepted time
        // step, and the per-account lockout.
        [
            "ALTER TABLE admins ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'",
            "ALTER TABLE admins ADD COLUMN totp_secret TEXT NULL",
            "ALTER TABLE admins ADD COLUMN totp_last_step BIGINT NULL",
            "ALTER TABLE admins ADD COLUMN failed_attempts BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE admins ADD COLUMN locked_until BIGINT NULL",
        ],
    ];
}

// Package postgres is the store engine for several replicas: PostgreSQL through pgx's pool.
//
// Every replica migrates at open under a PostgreSQL advisory lock, so replicas starting together
// apply each migration once. Writes that must be ordered (items of one list, the first operator)
// take row or table locks inside their transaction; everything else is one statement.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the advisory lock held while migrating: "aliscout" in ASCII.
const migrationLockID = 0x616c6973636f7574

// DB is a store.Store kept in PostgreSQL.
type DB struct {
	*queries
	pool     *pgxpool.Pool
	sqlDB    *sql.DB // the pool seen through database/sql, for goose
	migrator *migrate.Migrator
}

var _ store.Store = (*DB)(nil)

// Open connects to the PostgreSQL database at databaseURL (a postgres:// URL or key=value
// string), checks that it answers, and migrates it unless opts.SkipMigrations. Errors name the
// URL without its password. A database migrated by a newer aliscout is a
// *store.SchemaTooNewError.
func Open(ctx context.Context, databaseURL string, opts store.Options) (*DB, error) {
	shown := Redact(databaseURL)
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx's parse errors can quote the URL; say what is wrong without it.
		return nil, fmt.Errorf("postgres: cannot parse the database URL %s", shown)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	secret := cfg.ConnConfig.Password
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", shown, hide(err, secret))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", shown, hide(err, secret))
	}
	db := &DB{queries: &queries{now: opts.Clock(), db: pool}, pool: pool, sqlDB: stdlib.OpenDBFromPool(pool)}
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.migrator, err = migrate.New(db.sqlDB, goose.DialectPostgres, files, locker)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !opts.SkipMigrations {
		if _, err := db.migrator.Up(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres: %s: %w", shown, hide(err, secret))
		}
	}
	return db, nil
}

// Pool returns the connection pool, for a component that keeps its own tables in the same
// database (the job queue). It stays usable until Close.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes the pool's connections.
func (db *DB) Close() error {
	err := db.sqlDB.Close()
	db.pool.Close()
	return err
}

// Status reports the schema version of the database against this binary's migrations.
func (db *DB) Status(ctx context.Context) (store.SchemaStatus, error) {
	st, err := db.migrator.Status(ctx)
	if err != nil {
		return st, fmt.Errorf("postgres: %w", err)
	}
	return st, nil
}

// Up applies the pending migrations, under the advisory lock, and returns those it applied.
func (db *DB) Up(ctx context.Context) ([]store.Migration, error) {
	applied, err := db.migrator.Up(ctx)
	if err != nil {
		return applied, fmt.Errorf("postgres: %w", err)
	}
	return applied, nil
}

var (
	quotedPassword = regexp.MustCompile(`(?i)((?:ssl)?password\s*=\s*)'(?:[^'\\]|\\.)*'`)
	plainPassword  = regexp.MustCompile(`(?i)((?:ssl)?password\s*=\s*)[^\s']\S*`)
	queryPassword  = regexp.MustCompile(`(?i)((?:ssl)?password=)[^&]*`)
)

// Redact returns the database URL with its password (and sslpassword) masked, for messages and
// logs. Of a postgres:// URL that does not parse, all the user info is masked.
func Redact(databaseURL string) string {
	const mask = "xxxxx"
	lower := strings.ToLower(databaseURL)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		u, err := url.Parse(databaseURL)
		if err != nil {
			// Mask, over-masking if need be, everything that may be a password: all of the user
			// info and any password parameter.
			i := strings.Index(databaseURL, "://") + 3
			scheme, rest := databaseURL[:i], databaseURL[i:]
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				rest = mask + rest[at:]
			}
			return scheme + queryPassword.ReplaceAllString(rest, "${1}"+mask)
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
		q := u.Query()
		for k := range q {
			if k := strings.ToLower(k); k == "password" || k == "sslpassword" {
				q.Set(k, mask)
			}
		}
		if len(q) > 0 {
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	s := quotedPassword.ReplaceAllString(databaseURL, "${1}"+mask)
	return plainPassword.ReplaceAllString(s, "${1}"+mask)
}

// hide masks secret wherever err's message quotes it; errors.Is and As still see err.
func hide(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &hiddenError{err: err, secret: secret}
}

type hiddenError struct {
	err    error
	secret string
}

func (e *hiddenError) Error() string { return strings.ReplaceAll(e.err.Error(), e.secret, "xxxxx") }
func (e *hiddenError) Unwrap() error { return e.err }

// dbtx is what the pool and a transaction share.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// queries implements store.Store over the pool or one transaction.
type queries struct {
	now  func() time.Time
	db   dbtx
	inTx bool
}

// WithTx implements store.Store. Inside a transaction, pgx's Begin is a savepoint.
func (q *queries) WithTx(ctx context.Context, fn func(tx store.Store) error) error {
	return q.tx(ctx, func(t *queries) error { return fn(t) })
}

// tx runs fn in a transaction, or in a savepoint when q is in one already. A panic in fn rolls
// back and goes on up.
func (q *queries) tx(ctx context.Context, fn func(t *queries) error) error {
	tx, err := q.db.Begin(ctx)
	if err != nil {
		return dbErr("begin", err)
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(&queries{now: q.now, db: tx, inTx: true}); err != nil {
		done = true
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return dbErr("commit", err)
	}
	return nil
}

// clock returns the store's time, to the microsecond the database keeps.
func (q *queries) clock() time.Time { return q.now().UTC().Truncate(time.Microsecond) }

// us truncates a time from a caller to the microsecond, as SQLite does, rather than letting
// PostgreSQL round it.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// PostgreSQL error codes the store maps.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	checkViolation      = "23514"
)

// dbErr turns a pgx error into the store's: no rows is ErrNotFound, a unique violation
// ErrConflict, a missing referenced row ErrNotFound, a failed CHECK ErrInvalid.
func dbErr(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case uniqueViolation:
			return fmt.Errorf("store: %s: %w: %v", op, store.ErrConflict, err)
		case foreignKeyViolation:
			return fmt.Errorf("store: %s: %w: %v", op, store.ErrNotFound, err)
		case checkViolation:
			return fmt.Errorf("store: %s: %w: %v", op, store.ErrInvalid, err)
		}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// exec1 runs a statement that must change exactly one row; none is ErrNotFound.
func exec1(ctx context.Context, db dbtx, op, query string, args ...any) error {
	tag, err := db.Exec(ctx, query, args...)
	if err != nil {
		return dbErr(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	return nil
}

// execN runs a statement and returns how many rows it changed.
func execN(ctx context.Context, db dbtx, op, query string, args ...any) (int64, error) {
	tag, err := db.Exec(ctx, query, args...)
	if err != nil {
		return 0, dbErr(op, err)
	}
	return tag.RowsAffected(), nil
}

type scanner interface{ Scan(dest ...any) error }

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, db dbtx, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbErr(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	return out, nil
}

// utc returns a scanned time in UTC; nil (NULL) is the zero time.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

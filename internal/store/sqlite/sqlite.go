// Package sqlite is the embedded store engine: one SQLite file in the data dir, through the pure-Go
// modernc.org/sqlite driver, so the binary stays static.
//
// The file is in WAL mode with synchronous=FULL, so a write that returned is on disk and readers
// never wait for the writer. All writes go through one connection (SQLite allows one writer at a
// time; queueing in Go is fairer than retrying on SQLITE_BUSY) and reads through a small pool of
// read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a store.Store kept in one SQLite file.
type DB struct {
	*queries
	path     string
	write    *sql.DB // one connection: SQLite has one writer
	read     *sql.DB // read-only connections
	migrator *migrate.Migrator
}

var _ store.Store = (*DB)(nil)

// Pragmas every connection runs. busy_timeout covers another process (a backup, the command line)
// holding the file's write lock; within this process the single writer connection queues writes.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"

// Open opens (creating it if needed) the SQLite database at path, and migrates it unless
// opts.SkipMigrations. A database migrated by a newer aliscout is a *store.SchemaTooNewError.
func Open(ctx context.Context, path string, opts store.Options) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: bad database path %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// The file holds password hashes: create it readable by its owner only. SQLite gives the
	// -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f.Close()

	write, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)

	db := &DB{
		queries: &queries{now: opts.Clock(), w: write, r: read, write: write},
		path:    path,
		write:   write,
		read:    read,
	}
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db.migrator, err = migrate.New(write, goose.DialectSQLite3, files, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if !opts.SkipMigrations {
		if _, err := db.migrator.Up(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: %w", path, err)
		}
	}
	return db, nil
}

// Path returns the database file's path, for a component that keeps its own tables in the same
// file through a connection of its own (the job queue): it must not share the store's writer,
// whose transactions would then wait behind its polling.
func (db *DB) Path() string { return db.path }

// Close closes the database. Writes that returned are on disk already.
func (db *DB) Close() error {
	// optimize keeps the query planner's statistics current; it is cheap when nothing changed.
	_, _ = db.write.Exec("PRAGMA optimize")
	return errors.Join(db.read.Close(), db.write.Close())
}

// Status reports the schema version of the database against this binary's migrations.
func (db *DB) Status(ctx context.Context) (store.SchemaStatus, error) {
	st, err := db.migrator.Status(ctx)
	if err != nil {
		return st, fmt.Errorf("sqlite: %w", err)
	}
	return st, nil
}

// Up applies the pending migrations and returns those it applied.
func (db *DB) Up(ctx context.Context) ([]store.Migration, error) {
	applied, err := db.migrator.Up(ctx)
	if err != nil {
		return applied, fmt.Errorf("sqlite: %w", err)
	}
	return applied, nil
}

// Backup writes a consistent copy of the database to dst, which must not exist, while the store
// stays in use: writes go on during the copy and are in it or not as a whole. The copy is written
// beside dst and renamed into place when complete, so dst is never a partial file.
func (db *DB) Backup(ctx context.Context, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("sqlite: backup: %s exists already", dst)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist or is empty; CreateTemp gave it a unique name
	// with the owner-only mode.
	defer os.Remove(tmpName)
	// A connection of its own: the read pool is query_only, which VACUUM INTO refuses, and the
	// writer must stay free for the writes that go on meanwhile. In WAL mode the copy reads one
	// snapshot without blocking them.
	conn, err := sql.Open("sqlite", db.path+"?"+pragmas)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := syncFile(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// dbtx is what *sql.DB and *sql.Tx share.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements store.Store over either the database or one transaction.
type queries struct {
	now   func() time.Time
	w     dbtx    // where writes go: the writer connection, or the transaction
	r     dbtx    // where reads go: the read pool, or the transaction
	write *sql.DB // the writer, to begin transactions; nil inside one
	tx    *sql.Tx // the transaction, or nil
	depth int     // savepoints open inside tx
}

// WithTx implements store.Store.
func (q *queries) WithTx(ctx context.Context, fn func(tx store.Store) error) error {
	return q.inTx(ctx, func(t *queries) error { return fn(t) })
}

// inTx runs fn in a transaction, or in a savepoint when q is in one already.
func (q *queries) inTx(ctx context.Context, fn func(t *queries) error) (err error) {
	if q.tx != nil {
		return q.savepoint(ctx, fn)
	}
	tx, err := q.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback() // fn panicked
		}
	}()
	t := &queries{now: q.now, w: tx, r: tx, tx: tx}
	if err := fn(t); err != nil {
		done = true
		tx.Rollback()
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func (q *queries) savepoint(ctx context.Context, fn func(t *queries) error) error {
	name := fmt.Sprintf("sp%d", q.depth+1)
	if _, err := q.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	undo := func() {
		ctx := context.WithoutCancel(ctx)
		q.tx.ExecContext(ctx, "ROLLBACK TO "+name)
		q.tx.ExecContext(ctx, "RELEASE "+name)
	}
	done := false
	defer func() {
		if !done {
			undo()
		}
	}()
	t := &queries{now: q.now, w: q.tx, r: q.tx, tx: q.tx, depth: q.depth + 1}
	if err := fn(t); err != nil {
		done = true
		undo()
		return err
	}
	done = true
	if _, err := q.tx.ExecContext(ctx, "RELEASE "+name); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}

// clock returns the store's time, to the microsecond the database keeps.
func (q *queries) clock() time.Time { return q.now().UTC().Truncate(time.Microsecond) }

// dbErr turns a driver error into the store's: no rows is ErrNotFound, a unique violation
// ErrConflict, a missing referenced row (a foreign key) ErrNotFound.
func dbErr(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("store: %s: %w: %v", op, store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("store: %s: %w: %v", op, store.ErrNotFound, err)
		}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// exec1 runs a statement that must change exactly one row; none is ErrNotFound.
func exec1(ctx context.Context, db dbtx, op, query string, args ...any) error {
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return dbErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(op, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	return nil
}

// execN runs a statement and returns how many rows it changed.
func execN(ctx context.Context, db dbtx, op, query string, args ...any) (int64, error) {
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, dbErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbErr(op, err)
	}
	return n, nil
}

type scanner interface{ Scan(dest ...any) error }

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, db dbtx, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
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

// Times are INTEGER microseconds since the epoch; NULL is the zero time.

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

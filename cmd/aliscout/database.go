package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aliscout/aliscout/internal/config"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/postgres"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// database is a store engine as the commands use it: the store, its schema, and closing.
type database interface {
	store.Store
	Status(ctx context.Context) (store.SchemaStatus, error)
	Up(ctx context.Context) ([]store.Migration, error)
	Close() error
}

// sqliteFile is the store's file in the data directory when no database is configured.
const sqliteFile = "aliscout.db"

// databaseFlag adds --database to fs.
func databaseFlag(e *env, fs interface {
	Func(name, usage string, fn func(string) error)
}) {
	fs.Func("database", "where users and lists are kept: postgres://user:pass@host/db, or a SQLite file (default: "+sqliteFile+" in the data directory)",
		func(s string) error { e.cfg.DatabaseURL = config.Secret(s); return nil })
}

// openDatabase opens the configured store: PostgreSQL for a postgres:// URL, SQLite otherwise,
// migrated to this binary's schema unless skipMigrations. A database that does not answer is an
// error naming it without its password; a schema newer than this binary stops with
// store.SchemaTooNewError.
func openDatabase(ctx context.Context, e *env, skipMigrations bool) (database, string, error) {
	raw := strings.TrimSpace(e.cfg.DatabaseURL.Reveal())
	opts := store.Options{SkipMigrations: skipMigrations}
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		name := postgres.Redact(raw)
		db, err := postgres.Open(ctx, raw, opts)
		if err != nil {
			return nil, name, fmt.Errorf("database %s: %w", name, err)
		}
		return db, name, nil
	case strings.Contains(raw, "://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return nil, "", fmt.Errorf("%w: --database / ALISCOUT_DATABASE_URL: %q databases are not supported: give a postgres:// URL or a SQLite file", errUsage, scheme)
	}
	path := strings.TrimPrefix(raw, "sqlite:")
	if path == "" {
		if err := e.cfg.ResolveDataDir(e.getenv); err != nil {
			return nil, "", err
		}
		if err := os.MkdirAll(e.cfg.DataDir, 0o700); err != nil {
			return nil, "", fmt.Errorf("data directory: %w", err)
		}
		path = filepath.Join(e.cfg.DataDir, sqliteFile)
	}
	db, err := sqlite.Open(ctx, path, opts)
	if err != nil {
		return nil, path, fmt.Errorf("database %s: %w", path, err)
	}
	return db, path, nil
}

// schemaTooNew reports whether err is a database whose schema this binary does not know.
func schemaTooNew(err error) bool {
	var tooNew *store.SchemaTooNewError
	return errors.As(err, &tooNew)
}

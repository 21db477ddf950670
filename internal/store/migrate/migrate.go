// Package migrate applies an engine's embedded, numbered .sql migrations with goose, and refuses a
// database that a newer aliscout has migrated. The engines share it so that both report schema
// status and version errors the same way.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/aliscout/aliscout/internal/store"
)

// Migrator migrates one database.
type Migrator struct {
	p      *goose.Provider
	latest int64
}

// New returns a Migrator for db with the migrations in fsys (files named like 00001_init.sql at
// its root). locker, if not nil, is held while migrating, so that replicas starting together
// apply each migration once.
func New(db *sql.DB, dialect goose.Dialect, fsys fs.FS, locker lock.SessionLocker) (*Migrator, error) {
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	sources := p.ListSources()
	return &Migrator{p: p, latest: sources[len(sources)-1].Version}, nil
}

// Latest returns the newest version the migrations know.
func (m *Migrator) Latest() int64 { return m.latest }

// Status reports the database's version and the migrations not applied yet. It does not fail
// when the database is newer than the migrations: Current is then above Latest.
func (m *Migrator) Status(ctx context.Context) (store.SchemaStatus, error) {
	current, err := m.p.GetDBVersion(ctx)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("migrate: read version: %w", err)
	}
	all, err := m.p.Status(ctx)
	if err != nil {
		return store.SchemaStatus{}, fmt.Errorf("migrate: status: %w", err)
	}
	st := store.SchemaStatus{Current: current, Latest: m.latest}
	for _, s := range all {
		if s.State == goose.StatePending {
			st.Pending = append(st.Pending, migration(s.Source))
		}
	}
	return st, nil
}

// Up applies the pending migrations in order, each in its own transaction, and returns those it
// applied. A database newer than the migrations is a *store.SchemaTooNewError and is not touched.
func (m *Migrator) Up(ctx context.Context) ([]store.Migration, error) {
	current, err := m.p.GetDBVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: read version: %w", err)
	}
	if current > m.latest {
		return nil, &store.SchemaTooNewError{Database: current, Binary: m.latest}
	}
	results, err := m.p.Up(ctx)
	var partial *goose.PartialError
	if errors.As(err, &partial) {
		results = partial.Applied
	}
	var applied []store.Migration
	for _, r := range results {
		applied = append(applied, migration(r.Source))
	}
	if partial != nil && partial.Failed != nil {
		return applied, fmt.Errorf("migrate: %s: %w", path.Base(partial.Failed.Source.Path), partial.Err)
	}
	if err != nil {
		return applied, fmt.Errorf("migrate: up: %w", err)
	}
	return applied, nil
}

func migration(s *goose.Source) store.Migration {
	return store.Migration{Version: s.Version, Name: path.Base(s.Path)}
}

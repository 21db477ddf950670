package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/jobs"
	"github.com/aliscout/aliscout/internal/notify"
	"github.com/aliscout/aliscout/internal/orders"
	"github.com/aliscout/aliscout/internal/store/postgres"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/vault"
)

// background is the work that outlives a request: the job queue (on the store's database) and
// the connected-accounts service its jobs drive.
type background struct {
	queue    *jobs.Queue
	connect  *connect.Service
	orders   *orders.Service
	tracking *trackingJobs // started by startTracking once there is a sourcing service
	close    func()
}

// openVault returns the vault sealing AliExpress tokens: the keys of ALISCOUT_SECRET_KEY, or on
// the embedded default a key file created in the data directory. PostgreSQL (several replicas)
// needs ALISCOUT_SECRET_KEY: a key file per machine would seal with different keys.
func openVault(e *env, db database) (*vault.Vault, error) {
	if k := e.cfg.SecretKey.Reveal(); k != "" {
		return vault.ParseKeys("ALISCOUT_SECRET_KEY", k)
	}
	if _, ok := db.(*postgres.DB); ok {
		return nil, errors.New("ALISCOUT_SECRET_KEY is not set: with PostgreSQL every replica must seal AliExpress tokens with the same key (32 random bytes, base64: head -c32 /dev/urandom | base64)")
	}
	if err := e.cfg.ResolveDataDir(e.getenv); err != nil {
		return nil, err
	}
	return vault.LoadOrCreateKeyFile(e.cfg.DataDir)
}

// startBackground builds the queue and the connected-accounts service on db and client (the app's
// client, without an access token), checks the vault's keys against the stored tokens, and starts
// working jobs when work is true (serve and worker; the one-shot commands only insert).
// publicURL is where users reach aliscout, which the OAuth callback and the emails' links are
// under; "" means ALISCOUT_PUBLIC_URL, or else the configured listen address.
func startBackground(ctx context.Context, e *env, db database, client *aliexpress.Client, log *slog.Logger, work bool, publicURL string) (*background, error) {
	v, err := openVault(e, db)
	if err != nil {
		return nil, err
	}
	var driver jobs.Driver
	closeDriver := func() {}
	switch d := db.(type) {
	case *postgres.DB:
		driver = jobs.Postgres(d.Pool())
	case *sqlite.DB:
		sqlDB, err := jobs.OpenSQLite(ctx, d.Path())
		if err != nil {
			return nil, fmt.Errorf("job queue on %s: %w", d.Path(), err)
		}
		driver, closeDriver = jobs.SQLite(sqlDB), func() { sqlDB.Close() }
	default:
		return nil, fmt.Errorf("job queue: no driver for %T", db)
	}
	opPeriodic, opHandle, opClose := operatorJobs(e, db, log)
	closeDB := closeDriver
	closeDriver = func() { closeDB(); opClose() }
	mail := e.cfg.SMTPURL != ""
	w := jobs.NewWorkers()
	tj := handleTracking(w, db, v)
	periodic := append(jobs.Schedule{Mail: mail}.Periodic(), opPeriodic...)
	periodic = append(periodic, jobs.TrackingPeriodic(0)...)
	periodic = append(periodic, jobs.OrdersPeriodic()...)
	q, err := jobs.New(ctx, jobs.Config{Driver: driver, Workers: w, Periodic: periodic, Logger: log})
	if err != nil {
		closeDriver()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	if publicURL == "" {
		publicURL = e.cfg.PublicURL
	}
	if publicURL == "" {
		publicURL = "http://" + e.cfg.Addr
	}
	svc, err := connect.New(connect.Config{Store: db, Vault: v, Client: client, PublicURL: publicURL, Jobs: q, Mail: mail, Logger: log})
	if err != nil {
		closeDriver()
		return nil, err
	}
	if err := svc.CheckKeys(ctx); err != nil {
		closeDriver()
		return nil, err
	}
	jobs.HandleAccounts(w, svc)
	if err := opHandle(w, publicURL); err != nil {
		closeDriver()
		return nil, err
	}
	if mail {
		smtp, err := notify.ParseSMTP(e.cfg.SMTPURL.Reveal(), e.cfg.MailFrom)
		if err != nil {
			closeDriver()
			return nil, err
		}
		jobs.HandleMail(w, notify.NewMailer(db, smtp, notify.MailerOptions{Logger: log}))
	}
	b := &background{queue: q, connect: svc, orders: startOrders(w, db, svc, q, publicURL, log), tracking: tj, close: closeDriver}
	if !work {
		return b, nil
	}
	if err := q.Start(ctx); err != nil {
		closeDriver()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	b.close = func() {
		// In-flight jobs get a grace period to finish; past it they are put back for another
		// replica, and every job is safe to run twice.
		stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			log.Warn("job queue: stop", "err", err)
		}
		closeDriver()
	}
	return b, nil
}

// runWorker works background jobs (token refresh, notices, email, DS reports) without serving
// pages, for operators who keep workers apart from web replicas. It stops on SIGINT/SIGTERM.
func runWorker(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "worker", "[flags]")
	storeFlags(e, fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(e)
	db, name, err := openDatabase(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	qs, err := newSharedQuota(e, db, log)
	if err != nil {
		return err
	}
	defer qs.close()
	b, err := connectBackend(e, append(qs.clientOptions(), aliexpress.WithLogger(log))...)
	if err != nil {
		return err
	}
	defer b.close()
	bg, err := startBackground(ctx, e, db, b.client, log, true, "")
	if err != nil {
		return err
	}
	svc, _, done, err := newService(e, b, log)
	if err != nil {
		return err
	}
	defer done()
	bg.tracking.startTracking(e, svc, bg.connect, b.client, bg.queue, e.cfg.PublicURL, log)
	fmt.Fprintf(e.stdout, "aliscout: working background jobs on %s\n", name)
	<-ctx.Done()
	log.Info("worker: stopping; in-flight jobs finish or are put back")
	bg.close()
	return nil
}

// runKeys re-seals every stored AliExpress token with the first key of ALISCOUT_SECRET_KEY, so
// that the older keys can then be dropped.
func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: aliscout keys rotate (after putting the new key first in ALISCOUT_SECRET_KEY)", errUsage)
	}
	fs := newFlags(e, "keys rotate", "[flags]")
	storeFlags(e, fs)
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, _, err := openDatabase(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()
	bg, err := startBackground(ctx, e, db, b.client, discardLogger(), false, "")
	if err != nil {
		return err
	}
	defer bg.close()
	n, err := bg.connect.Rotate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "resealed the tokens of %d AliExpress accounts with the first key\n", n)
	return nil
}

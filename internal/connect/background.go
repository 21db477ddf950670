package connect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/store"
)

// The work of the background jobs. Each method is idempotent: a job run twice (a rescued job,
// a retry after a failure halfway) does no harm.

// planBatch is how many accounts one planner run looks at, soonest first.
const planBatch = 500

// PlanRefreshes queues a refresh job for every account whose access token ends within the
// refresh margin (plus the account's jitter), and a report job for every account whose report is
// still pending (one whose job could not be queued when it was connected). It also deletes OAuth
// states that have expired. The jobs are unique per account, so planners on several replicas, or
// a slow refresh, queue each once.
func (s *Service) PlanRefreshes(ctx context.Context) error {
	if s.cfg.Jobs == nil {
		return errors.New("connect: plan: no job queue")
	}
	now := s.cfg.Now()
	due, err := s.st.ConnectedAccountsAccessEndingBefore(ctx, now.Add(s.cfg.RefreshMargin+s.cfg.RefreshJitter), planBatch)
	if err != nil {
		return fmt.Errorf("connect: plan: %w", err)
	}
	var errs []error
	for _, a := range due {
		if s.due(a, now) {
			if err := s.cfg.Jobs.EnqueueRefresh(ctx, a.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	pending, err := s.st.ConnectedAccountsByReportState(ctx, store.ReportPending, planBatch)
	if err != nil {
		return fmt.Errorf("connect: plan: %w", err)
	}
	for _, a := range pending {
		if err := s.cfg.Jobs.EnqueueReport(ctx, a.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := s.st.DeleteExpiredOAuthStates(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("connect: plan: %w", err)
	}
	return nil
}

// RefreshAccount refreshes one account's tokens if they are due. An account that is gone, was
// refreshed meanwhile, or whose authorization has ended (it is then marked for the user to
// connect again) is done with; a passing failure (the platform unreachable) is an error, for the
// job to retry.
func (s *Service) RefreshAccount(ctx context.Context, accountID int64) error {
	a, err := s.st.ConnectedAccountByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("connect: refresh: %w", err)
	}
	if !s.due(a, s.cfg.Now()) {
		return nil
	}
	_, err = s.refresh(ctx, a.ID, a.SealedAccess)
	if errors.Is(err, ErrReconnect) {
		return nil
	}
	return err
}

// noticeBatch bounds the accounts one notice run looks at.
const noticeBatch = 1000

// SendExpiryNotices records a notice for every account whose refresh token ends within 7 days,
// within 1 day, or has ended — once per account and threshold, whichever replica runs it and
// however often — and, when mail is on, queues an email to its user in the same transaction, so
// a recorded notice always has its email and never two. An account whose authorization has
// ended is marked for reconnecting.
func (s *Service) SendExpiryNotices(ctx context.Context) error {
	now := s.cfg.Now()
	ending, err := s.st.ConnectedAccountsRefreshEndingBefore(ctx, now.Add(7*24*time.Hour), noticeBatch)
	if err != nil {
		return fmt.Errorf("connect: notices: %w", err)
	}
	queued := false
	for _, a := range ending {
		threshold := store.Notice7Days
		switch {
		case a.NeedsReconnect || !now.Before(a.RefreshExpiresAt):
			threshold = store.NoticeEnded
		case !now.Add(24 * time.Hour).Before(a.RefreshExpiresAt):
			threshold = store.Notice1Day
		}
		if threshold == store.NoticeEnded && !a.NeedsReconnect {
			if err := s.st.MarkConnectedAccountNeedsReconnect(ctx, a.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("connect: notices: %w", err)
			}
		}
		q, err := s.notice(ctx, a, threshold)
		if err != nil {
			return err
		}
		queued = queued || q
	}
	if queued {
		s.kickMail(ctx)
	}
	return nil
}

// notice records the notice of threshold for a and, when mail is on and it was not recorded
// before, queues its email in the same transaction. It reports whether an email was queued.
func (s *Service) notice(ctx context.Context, a store.ConnectedAccount, threshold string) (bool, error) {
	queued := false
	err := s.st.WithTx(ctx, func(tx store.Store) error {
		recorded, err := tx.RecordExpiryNotice(ctx, a.ID, threshold)
		if err != nil || !recorded {
			return err
		}
		s.cfg.Logger.InfoContext(ctx, "expiry notice", "account_id", a.ID, "user_id", a.UserID, "threshold", threshold)
		if !s.cfg.Mail {
			return nil
		}
		u, err := tx.User(ctx, a.UserID)
		if err != nil {
			return err
		}
		subject, body := s.noticeEmail(a, threshold)
		if _, err := tx.EnqueueEmail(ctx, store.Email{To: u.Email, Subject: subject, Body: body}); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // deleted meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("connect: notice for account %d: %w", a.ID, err)
	}
	return queued, nil
}

// kickMail starts the outbox sender now rather than at its next period.
func (s *Service) kickMail(ctx context.Context) {
	if s.cfg.Jobs == nil {
		return
	}
	if err := s.cfg.Jobs.EnqueueMail(ctx); err != nil {
		s.cfg.Logger.WarnContext(ctx, "could not queue the mail job; the periodic one will send", "error", err)
	}
}

// noticeEmail is the text of an expiry notice. The nick comes from AliExpress: it is only ever
// put in a plain-text body and a subject with no line breaks.
func (s *Service) noticeEmail(a store.ConnectedAccount, threshold string) (subject, body string) {
	nick := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, a.Nick)
	link := strings.TrimSuffix(s.callback, CallbackPath) + StartPath
	end := a.RefreshExpiresAt.UTC().Format("Monday 2 January 2006 at 15:04 UTC")
	switch threshold {
	case store.NoticeEnded:
		subject = fmt.Sprintf("Your AliExpress account %s is disconnected from aliscout", nick)
		body = fmt.Sprintf("Hello,\n\nThe authorization of your AliExpress account %s has ended (it expired, or was "+
			"revoked at AliExpress). aliscout can no longer place or follow orders with it.\n\nConnect it again here:\n%s\n", nick, link)
	case store.Notice1Day:
		subject = fmt.Sprintf("Reconnect your AliExpress account %s within a day", nick)
		body = fmt.Sprintf("Hello,\n\nThe authorization of your AliExpress account %s ends on %s, in less than a day. "+
			"After that aliscout cannot place or follow orders with it.\n\nConnect it again now to keep it working:\n%s\n", nick, end, link)
	default:
		subject = fmt.Sprintf("Reconnect your AliExpress account %s within 7 days", nick)
		body = fmt.Sprintf("Hello,\n\nThe authorization of your AliExpress account %s ends on %s. "+
			"AliExpress does not let it be renewed: connect the account again before then to keep it working:\n%s\n", nick, end, link)
	}
	return subject, body + "\nThis message was sent by aliscout because you connected this account.\n"
}

// ReportAccount reports the account's store to the platform (aliexpress.ds.add.info) with the
// account's own access token. The platform taking it marks the report reported; a refusal is
// recorded with the platform's message and retried by the job until its last attempt (last),
// which marks it failed. A report made already, or an account gone, is done with.
func (s *Service) ReportAccount(ctx context.Context, accountID int64, last bool) error {
	a, err := s.st.ConnectedAccountByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("connect: report: %w", err)
	}
	if a.ReportState == store.ReportReported || a.ReportState == store.ReportNone {
		return nil
	}
	if a.StoreURL == "" {
		return s.setReport(ctx, a.ID, store.ReportNone, "")
	}
	err = s.Do(ctx, a.UserID, a.ID, func(ctx context.Context, c *aliexpress.Client) error {
		_, err := c.DS.AddInfo(ctx, &aliexpress.DropshipperInfo{StoreURL: a.StoreURL})
		return err
	})
	if err == nil {
		s.cfg.Logger.InfoContext(ctx, "store reported to AliExpress", "account_id", a.ID)
		return s.setReport(ctx, a.ID, store.ReportReported, "")
	}
	msg := err.Error()
	var ae *aliexpress.Error
	if errors.As(err, &ae) && ae.Message != "" {
		msg = ae.Message
		if ae.Code != "" {
			msg = ae.Code + ": " + ae.Message
		}
	}
	if errors.Is(err, ErrReconnect) {
		// Nothing to retry until the user connects again, which reports anew.
		return s.setReport(ctx, a.ID, store.ReportFailed, "the account must be connected again")
	}
	state := store.ReportPending
	if last {
		state = store.ReportFailed
	}
	if serr := s.setReport(ctx, a.ID, state, msg); serr != nil {
		return errors.Join(err, serr)
	}
	return fmt.Errorf("connect: report account %d: %w", a.ID, err)
}

func (s *Service) setReport(ctx context.Context, id int64, state store.ReportState, msg string) error {
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	err := s.st.SetConnectedAccountReport(context.WithoutCancel(ctx), id, state, msg)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("connect: report: %w", err)
	}
	return nil
}

// Rotate seals every stored token again with the vault's first key (after a new key was put
// first in ALISCOUT_SECRET_KEY), so that the old keys can then be dropped. It returns how many
// accounts it resealed. Safe while the server runs: a refresh that changes an account's tokens
// meanwhile seals them with the first key itself.
func (s *Service) Rotate(ctx context.Context) (int, error) {
	if err := s.CheckKeys(ctx); err != nil {
		return 0, err
	}
	want := s.vault.SealingKeyID()
	n := 0
	var after int64
	for {
		page, err := s.st.ConnectedAccountsPage(ctx, after, 200)
		if err != nil {
			return n, fmt.Errorf("connect: rotate: %w", err)
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, a := range page {
			after = a.ID
			done, err := s.reseal(ctx, a, want)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
	}
}

func (s *Service) reseal(ctx context.Context, a store.ConnectedAccount, want string) (bool, error) {
	for range 5 {
		if a.KeyID == want && keyOf(a.SealedAccess) == want && keyOf(a.SealedRefresh) == want {
			return false, nil
		}
		access, err := s.vault.Open(a.SealedAccess)
		if err != nil {
			return false, fmt.Errorf("connect: rotate account %d: %w", a.ID, err)
		}
		refresh, err := s.vault.Open(a.SealedRefresh)
		if err != nil {
			return false, fmt.Errorf("connect: rotate account %d: %w", a.ID, err)
		}
		sa, sr, err := s.seal(&aliexpress.Token{AccessToken: access, RefreshToken: refresh})
		if err != nil {
			return false, err
		}
		err = s.st.ResealConnectedAccount(ctx, a.ID, a.SealedRefresh, sa, sr, want)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, store.ErrNotFound):
			return false, nil
		case !errors.Is(err, store.ErrConflict):
			return false, fmt.Errorf("connect: rotate: %w", err)
		}
		// Refreshed meanwhile: read it again.
		if a, err = s.st.ConnectedAccountByID(ctx, a.ID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return false, fmt.Errorf("connect: rotate: %w", err)
		}
	}
	return false, fmt.Errorf("connect: rotate account %d: its tokens keep changing", a.ID)
}

func keyOf(sealed string) string {
	id, _, _ := strings.Cut(sealed, ":")
	return id
}

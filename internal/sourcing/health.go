package sourcing

import (
	"context"
	"fmt"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// healthEvery bounds how often Health calls AliExpress while it is failing.
const healthEvery = 30 * time.Second

// Health checks that AliExpress answers and accepts aliscout's credentials, through the
// categories cache so that a healthy instance spends no call on it.
func (s *Service) Health(ctx context.Context) catalog.Health {
	now := s.opts.Now()
	s.health.mu.Lock()
	last := s.health.h
	s.health.mu.Unlock()
	h := catalog.Health{Simulated: s.opts.Simulated, Gateway: s.ae.Gateway(), AppKey: s.ae.AppKey(), TrackingID: s.ae.TrackingID() != "", DS: s.opts.DS}
	h.CallsToday, h.DailyBudget, _ = s.ae.BudgetUsed(ctx)
	if h.DailyBudget > 0 && h.CallsToday >= h.DailyBudget {
		end := PlatformDayEnd(now)
		h.Code = catalog.ERateLimited
		h.Message = fmt.Sprintf("today's AliExpress call budget (%d calls, ALISCOUT_DAILY_BUDGET) is used up: only saved answers are served until it resets at %s (midnight GMT+8)",
			h.DailyBudget, end.UTC().Format("15:04 MST"))
		h.CheckedAt = now
		return h
	}
	if !last.CheckedAt.IsZero() && !last.OK && now.Sub(last.CheckedAt) < healthEvery {
		h.OK, h.Code, h.Message, h.CheckedAt = last.OK, last.Code, last.Message, last.CheckedAt
		return h
	}
	_, err := s.Categories(ctx, catalog.DefaultLanguage)
	h.CheckedAt = now
	if err != nil {
		h.Code = catalog.ErrorCode(err)
		h.Message = err.Error()
	} else {
		h.OK = true
	}
	s.health.mu.Lock()
	s.health.h = h
	s.health.mu.Unlock()
	return h
}

// platformZone is the time zone of the platform's day (GMT+8), which its daily quota follows.
var platformZone = time.FixedZone("GMT+8", 8*60*60)

// PlatformDayEnd returns when the platform day that holds now ends: the next midnight GMT+8, when
// the daily call budget resets.
func PlatformDayEnd(now time.Time) time.Time {
	t := now.In(platformZone)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, platformZone)
}

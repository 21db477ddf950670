package sourcing

import (
	"context"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// healthEvery bounds how often Health calls AliExpress while it is failing.
const healthEvery = 30 * time.Second

// Health checks that AliExpress answers and accepts aliscout's credentials, through the
// categories cache so that a healthy instance spends no call on it.
func (s *Service) Health(ctx context.Context) catalog.Health {
	now := s.opts.Now()
	s.healthMu.Lock()
	last := s.lastHealth
	s.healthMu.Unlock()
	h := catalog.Health{Simulated: s.opts.Simulated, Gateway: s.ae.Gateway(), AppKey: s.ae.AppKey(), TrackingID: s.ae.TrackingID() != "", DS: s.opts.DS}
	h.CallsToday, h.DailyBudget = s.ae.BudgetUsed()
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
	s.healthMu.Lock()
	s.lastHealth = h
	s.healthMu.Unlock()
	return h
}

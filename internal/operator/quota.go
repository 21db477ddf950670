package operator

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// MethodUse is a method's calls in a day, against its published QPS.
type MethodUse struct {
	Method string
	Calls  int64
	QPS    int // the platform's published limit per second; 0: none published
}

// UserUse is a user's calls in a day.
type UserUse struct {
	UserID  int64 // 0: calls for no user (token refresh, reports, the command line)
	Email   string
	Calls   int64
	ByKind  map[string]int64
	Methods []MethodUse
}

// QuotaDay is a day's use of the shared quota.
type QuotaDay struct {
	Day      string
	ResetsAt time.Time
	Total    int64
	Policy   quota.Policy
	Share    int64 // each user's share today, with the users who called
	Methods  []MethodUse
	Users    []UserUse // most calls first: the top consumers
}

// QuotaDay returns the use of the quota on day ("" for today) with policy and the published
// per-method QPS limits.
func (s *Service) QuotaDay(ctx context.Context, day string, policy quota.Policy, qps map[string]int) (QuotaDay, error) {
	now := s.cfg.Now()
	if day == "" {
		day = quota.Day(now)
	}
	t, err := time.ParseInLocation(time.DateOnly, day, quota.Zone())
	if err != nil {
		return QuotaDay{}, fmt.Errorf("operator: %w: day %q: want YYYY-MM-DD", store.ErrInvalid, day)
	}
	counts, err := s.cfg.Store.QuotaCounts(ctx, day, day)
	if err != nil {
		return QuotaDay{}, fmt.Errorf("operator: quota: %w", err)
	}
	if s.cfg.LiveCounts != nil {
		if live, err := s.cfg.LiveCounts(ctx, day); err == nil {
			counts = mergeMax(counts, live)
		} else {
			s.cfg.Logger.Warn("operator: live quota counts", "err", err)
		}
	}
	q := QuotaDay{Day: day, ResetsAt: quota.DayEnd(t), Policy: policy}
	methods := map[string]int64{}
	users := map[int64]*UserUse{}
	userMethods := map[int64]map[string]int64{}
	for _, c := range counts {
		q.Total += c.Calls
		methods[c.Method] += c.Calls
		u := users[c.UserID]
		if u == nil {
			u = &UserUse{UserID: c.UserID, ByKind: map[string]int64{}}
			users[c.UserID] = u
			userMethods[c.UserID] = map[string]int64{}
		}
		u.Calls += c.Calls
		u.ByKind[c.Kind] += c.Calls
		userMethods[c.UserID][c.Method] += c.Calls
	}
	if day == quota.Day(now) {
		// The store's day total also has calls Redis has not handed over yet, when it is ahead.
		if n, err := s.cfg.Store.QuotaDayTotal(ctx, day); err == nil && n > q.Total {
			q.Total = n
		}
	}
	q.Methods = sortedMethods(methods, qps)
	emails := map[int64]string{}
	if all, err := s.cfg.Store.Users(ctx); err == nil {
		for _, u := range all {
			emails[u.ID] = u.Email
		}
	}
	active := 0
	for id, u := range users {
		u.Email = emails[id]
		u.Methods = sortedMethods(userMethods[id], qps)
		if id != 0 {
			active++
		}
		q.Users = append(q.Users, *u)
	}
	sort.Slice(q.Users, func(i, j int) bool {
		if q.Users[i].Calls != q.Users[j].Calls {
			return q.Users[i].Calls > q.Users[j].Calls
		}
		return q.Users[i].UserID < q.Users[j].UserID
	})
	q.Share = policy.ShareOf(active)
	return q, nil
}

func sortedMethods(calls map[string]int64, qps map[string]int) []MethodUse {
	out := make([]MethodUse, 0, len(calls))
	for m, n := range calls {
		out = append(out, MethodUse{Method: m, Calls: n, QPS: qps[m]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// mergeMax merges two sets of counts of one day, keeping the larger of each.
func mergeMax(a, b []store.QuotaCount) []store.QuotaCount {
	type key struct {
		user         int64
		method, kind string
	}
	at := map[key]int{}
	out := append([]store.QuotaCount(nil), a...)
	for i, c := range out {
		at[key{c.UserID, c.Method, c.Kind}] = i
	}
	for _, c := range b {
		k := key{c.UserID, c.Method, c.Kind}
		if i, ok := at[k]; ok {
			out[i].Calls = max(out[i].Calls, c.Calls)
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}

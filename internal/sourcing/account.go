package sourcing

import (
	"context"
	"errors"
	"sync"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
)

// Renewer returns a working access token of a connected account after the platform refused the
// token refused (connect.Service.Renew, bound to the user and account).
type Renewer func(ctx context.Context, refused string) (string, error)

// accountView is the connected account a view acts as: the client carrying its access token,
// renewed at most once per view when the platform refuses it.
type accountView struct {
	key   string // names the account in cache keys; never the token
	renew Renewer

	mu      sync.Mutex
	token   string // held for renew only, which must say which token was refused
	client  *aliexpress.Client
	renewed bool
}

// ForAccount returns a view of s that calls the DS API as one connected AliExpress account with
// its access token: the product's variants, stock and shipping come from the DS API as that
// account sees them (prices depend on the account). accountKey names the account in cache keys
// (e.g. "connected-42"): DS answers are cached per account, affiliate answers stay shared. It
// shares s's cache, circuit breaker, search memo and health, so it is cheap to make per request;
// it is meant to live no longer than one. When the platform refuses the token, renew (nil: never)
// is asked once for a new one and the call is made again.
//
// The token stays inside the client: it is in no cache key, error or log line of the service.
func (s *Service) ForAccount(token, accountKey string, renew Renewer) *Service {
	v := *s // the fields are pointers or read-only after NewService
	v.opts.DS = true
	v.acct = &accountView{key: accountKey, renew: renew, token: token, client: s.ae.WithAccessToken(token)}
	return &v
}

// dsKey builds the cache key of a DS answer: in the account's namespace for a view, since
// the answer depends on the account.
func (s *Service) dsKey(parts ...string) string {
	if s.acct == nil {
		return s.key(parts...)
	}
	return cache.Key(append([]string{s.ns, "account", s.acct.key}, parts...)...)
}

// dsClient is the client of DS calls: the account's for a view, else the service's.
func (s *Service) dsClient() *aliexpress.Client {
	if s.acct == nil {
		return s.ae
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.client
}

// dsCall makes one DS call of method through s's circuit breaker with the DS client. In a view,
// when the platform refuses the account's token, the token is renewed (once per view, whichever
// of its concurrent calls gets there first) and the call is made again.
func dsCall[T any](ctx context.Context, s *Service, method string, call func(c *aliexpress.Client) (T, error)) (T, error) {
	return guarded(s, method, func() (T, error) {
		c := s.dsClient()
		v, err := call(c)
		if s.acct == nil || !errors.Is(err, aliexpress.ErrInvalidToken) {
			return v, err
		}
		c2, rerr := s.acct.renewAfter(ctx, c)
		if rerr != nil {
			s.opts.Logger.Debug("DS token refused and not renewed", "method", method, "account", s.acct.key, "err", rerr)
			return v, err
		}
		if c2 == c {
			return v, err
		}
		return call(c2)
	})
}

// renewAfter returns a client with a renewed token after refused's token was refused: the one
// another call renewed already, or a new one from renew. It returns refused itself when the
// token cannot be renewed again.
func (a *accountView) renewAfter(ctx context.Context, refused *aliexpress.Client) (*aliexpress.Client, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.client != refused {
		return a.client, nil // renewed by a concurrent call
	}
	if a.renew == nil || a.renewed {
		return refused, nil
	}
	a.renewed = true
	tok, err := a.renew(ctx, a.token)
	if err != nil {
		return refused, err
	}
	a.token, a.client = tok, refused.WithAccessToken(tok)
	return a.client, nil
}

// Package aliexpress is a client for the AliExpress Open Platform (the IOP gateway at
// api-sg.aliexpress.com): the Affiliate API, the Dropshipping (DS) API and the OAuth token API.
//
// A Client signs every request (sha256 by default, md5 and hmac on request), decodes every envelope
// family the platform answers with, and turns every failure into a typed error that works with
// errors.Is and errors.As:
//
//	c, err := aliexpress.NewClient(appKey, appSecret)
//	page, _, err := c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "phone case"})
//	if errors.Is(err, aliexpress.ErrRateLimited) { ... }
//
// Dropshipping methods act for a user and need that user's access token:
//
//	p, _, err := c.WithAccessToken(tok).DS.Product(ctx, 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "US"})
//
// Answers are read tolerantly: a number or price inside stray quotes is read, and an optional
// field that cannot be read (a placeholder such as "N/A", an object where a number belongs) is
// left empty and listed in Response.Warnings with its JSON path; only a field the answer is
// useless without (an ID, a variant's price) fails the call, with ErrRequiredField. Every success-or-failure marker of every envelope family is checked, so an
// error answer never reads as an empty result.
//
// A client keeps under the platform's per-method QPS and an optional daily budget by itself, and
// waits out a platform ban for all its callers; WithLimiter and WithBudget let several processes
// share one limit and one budget.
//
// The client never puts the app secret, an access token or a signature, in any form, into an error
// message, a warning or a log line.
//
// Package aliexpress/sandbox is a faithful local simulator of the gateway for tests and offline use.
package aliexpress

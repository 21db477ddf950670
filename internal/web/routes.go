package web

import "net/http"

// routes registers every route of the app; the pattern is also the route label in metrics.
//
// A request that spends AliExpress quota on more than a product or two (an import preview, an
// export) is a POST, which the cross-origin guard stands in front of: a GET could be made by any
// page on the internet with an <img> tag, in any visitor's browser. Searches and product pages
// stay GET, so that they can be linked and shared; the cache answers repeats of them.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// Pages.
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /search", s.searchPage)
	mux.HandleFunc("GET /compare", s.comparePage)
	mux.HandleFunc("GET /products/{id}", s.productPage)
	mux.HandleFunc("GET /import", s.importPage)
	mux.HandleFunc("POST /import", s.importPost)
	mux.HandleFunc("POST /export", s.exportPage)
	mux.HandleFunc("GET /static/{file}", s.serveStatic)
	mux.HandleFunc("GET /img/{path...}", s.serveImage)

	// JSON API.
	mux.HandleFunc("GET /api/search", s.apiSearch)
	mux.HandleFunc("GET /api/products/{id}", s.apiProduct)
	mux.HandleFunc("GET /api/products/{id}/shipping", s.apiShipping)
	mux.HandleFunc("GET /api/shipping", s.apiSearchShipping)
	mux.HandleFunc("GET /api/categories", s.apiCategories)
	mux.HandleFunc("POST /api/links", s.apiLinks)
	mux.HandleFunc("POST /api/export", s.apiExport)
	mux.HandleFunc("GET /api/export", s.apiExportGet)
	mux.HandleFunc("GET /api/health", s.apiHealth)

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.MetricsHandler != nil {
		mux.Handle("GET /metrics", s.cfg.MetricsHandler)
	}

	// Accounts and saved lists, when the app has accounts.
	if s.cfg.Accounts != nil {
		s.accountRoutes(mux)
		s.listRoutes(mux)
		s.orderRoutes(mux)
		s.watchRoutes(mux)
	}
	// Connected AliExpress accounts, when the app connects them.
	if s.connections() {
		s.connectRoutes(mux)
	}

	// The operator console, when the app has accounts and an operator.
	if s.cfg.Console != nil && s.cfg.Accounts != nil {
		s.operatorRoutes(mux)
	}

	// Everything else: a 404 (or 405) page, or JSON under /api/.
	mux.HandleFunc("/", s.notFound(mux))
	return mux
}

package web

import "net/http"

// routes registers every route of the app; the pattern is also the route label in metrics.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// Pages.
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /search", s.searchPage)
	mux.HandleFunc("GET /compare", s.comparePage)
	mux.HandleFunc("GET /products/{id}", s.productPage)
	mux.HandleFunc("GET /import", s.importPage)
	mux.HandleFunc("POST /import", s.importPost)
	mux.HandleFunc("GET /static/{file}", s.serveStatic)

	// JSON API.
	mux.HandleFunc("GET /api/search", s.apiSearch)
	mux.HandleFunc("GET /api/products/{id}", s.apiProduct)
	mux.HandleFunc("GET /api/products/{id}/shipping", s.apiShipping)
	mux.HandleFunc("GET /api/categories", s.apiCategories)
	mux.HandleFunc("POST /api/links", s.apiLinks)
	mux.HandleFunc("GET /api/export", s.apiExport)
	mux.HandleFunc("GET /api/health", s.apiHealth)

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.cfg.MetricsHandler != nil {
		mux.Handle("GET /metrics", s.cfg.MetricsHandler)
	}

	// Accounts and saved lists, when the app has accounts.
	if s.cfg.Accounts != nil {
		s.accountRoutes(mux)
		s.listRoutes(mux)
	}

	// Everything else: a 404 (or 405) page, or JSON under /api/.
	mux.HandleFunc("/", s.notFound(mux))
	return mux
}

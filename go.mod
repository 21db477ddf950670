module github.com/aliscout/aliscout

go 1.26.8

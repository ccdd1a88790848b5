eval("test files are scanned");

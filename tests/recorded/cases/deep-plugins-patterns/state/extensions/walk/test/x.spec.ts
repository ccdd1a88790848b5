eval("a test directory too");

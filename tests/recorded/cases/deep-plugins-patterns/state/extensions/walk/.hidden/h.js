eval("hidden");

eval("real")

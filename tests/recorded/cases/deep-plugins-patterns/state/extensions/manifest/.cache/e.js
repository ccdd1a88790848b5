eval("forced hidden")

exec("this file never names the module, so no hit");
spawn("x");

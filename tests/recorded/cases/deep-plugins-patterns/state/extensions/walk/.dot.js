eval("dotfile");

const ws = new WebSocket("wss://pool.example:3333/x");
const ok1 = new WebSocket("wss://h:443/x"); const ok2 = new WebSocket('ws://h:3000');
const ok3 = new WebSocket("ws://h:8080"); const ok4 = new WebSocket(`ws://h:9999`);

// header_cxx.cc: machnet.h must compile unchanged in C++ applications, as
// upstream Machnet's does, with the struct tags C++ code names types by.
// Built (and so checked) by `make`; never run.
#include <machnet.h>

#include <cstdio>

int main()
{
	MachnetFlow flow = {};
	MachnetIovec iov = {nullptr, 0};
	MachnetMsgHdr hdr = {};
	char buf[16];

	hdr.msg_iov = &iov;
	hdr.msg_iovlen = 1;
	hdr.flow_info = flow;
	static_assert(MACHNET_MSG_MAX_LEN == 8u * 1024u * 1024u, "8 MiB");
	static_assert(sizeof(MachnetFlow_t) == 12, "flow layout");
	static_assert(sizeof(MachnetMsgHdr_t) == sizeof(hdr), "one type");
	if (machnet_init() != 0)
		return 1;
	void *ch = machnet_attach();
	if (machnet_set_flow_events(ch, 1) != 0 || machnet_listen(ch, "10.0.0.1", 1) != 0 ||
	    machnet_connect(ch, "10.0.0.1", "10.0.0.2", 1, &flow) != 0 ||
	    machnet_send(ch, flow, buf, sizeof(buf)) != 0 ||
	    machnet_sendmsg(ch, &hdr) != 0 || machnet_sendmmsg(ch, &hdr, 1) != 1 ||
	    machnet_recv(ch, buf, sizeof(buf), &flow) < 0 ||
	    machnet_recvmsg(ch, &hdr) < 0 || machnet_close(ch, flow) != 0)
		std::perror("machnet");
	return machnet_detach(ch);
}

// Which nodes are in a test right now. Full duplex (the default): a node may send one test and
// receive another, but never send two (they would share its NIC) or receive two (iperf3 serves one
// client; the second gets "busy"). Exclusive: one test per node, in either direction.

export class NodeOccupancy {
  private readonly sending: boolean[];
  private readonly receiving: boolean[];

  constructor(
    nodes: number,
    private readonly exclusive: boolean,
  ) {
    this.sending = new Array<boolean>(nodes).fill(false);
    this.receiving = new Array<boolean>(nodes).fill(false);
  }

  canStart(sender: number, receiver: number): boolean {
    if (this.exclusive) return !this.inUse(sender) && !this.inUse(receiver);
    return !this.sending[sender] && !this.receiving[receiver];
  }

  occupy(sender: number, receiver: number): void {
    this.sending[sender] = true;
    this.receiving[receiver] = true;
  }

  release(sender: number, receiver: number): void {
    this.sending[sender] = false;
    this.receiving[receiver] = false;
  }

  private inUse(node: number): boolean {
    return this.sending[node]! || this.receiving[node]!;
  }
}

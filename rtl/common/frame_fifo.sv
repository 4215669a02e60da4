// Store-and-forward frame FIFO with commit / rollback, 128-bit beats.
// Write side: wr_valid_i writes one beat (when wr_ready_o). commit_i (when commit_ready_o) ends
// the frame: its beats, including one written in the same cycle, become readable together with
// a descriptor {user_i, len_i}; rollback_i instead discards every beat written since the last
// commit/rollback (including one written in the same cycle).
// Read side (AXI4-Stream): a committed frame is sent as ceil(len/16) beats with packed tkeep
// and tlast on the last; beats stored beyond len bytes are skipped. len = 0 sends one beat with
// tkeep = 0 and tlast = 1. m_user_o is the frame's user_i, constant over the frame.
// Beats are held in an inferable RAM (one write port, one synchronous read port).
module frame_fifo #(
  parameter int unsigned DEPTH      = 4096,  // beats, power of two
  parameter int unsigned DESC_DEPTH = 16,    // committed frames held, power of two
  parameter int unsigned USER_W     = 48,
  parameter int unsigned AW         = $clog2(DEPTH)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // write side
  input  logic              wr_valid_i,
  output logic              wr_ready_o,
  input  logic [127:0]      wr_data_i,
  input  logic              commit_i,
  input  logic              rollback_i,
  output logic              commit_ready_o,
  input  logic [USER_W-1:0] user_i,
  input  logic [15:0]       len_i,
  // read side
  output logic              m_valid_o,
  input  logic              m_ready_i,
  output logic [127:0]      m_data_o,
  output logic [15:0]       m_keep_o,
  output logic              m_last_o,
  output logic [USER_W-1:0] m_user_o
);
  localparam int unsigned DescW = USER_W + 16 + AW + 1;  // {user, len, nbeats}
  localparam int unsigned OutW  = USER_W + 1 + 16 + 128;  // {user, last, keep, data}
  localparam int unsigned DAW   = $clog2(DESC_DEPTH);

  // ------------------------------------------------------------------ write side
  logic [AW:0]  wr_ptr_q, frame_start_q, rd_ptr_q;
  logic         do_wr;
  logic [AW:0]  wr_ptr_next;
  logic         desc_full, desc_empty, desc_pop;
  logic [DescW-1:0] desc_head;
  logic [DAW:0] desc_count;

  // Full when the pointers meet with different wrap bits (occupancy never exceeds DEPTH): an
  // equality test, with no subtractor and comparator carry chain in front of the writer.
  assign wr_ready_o     = !((wr_ptr_q[AW] != rd_ptr_q[AW]) && (wr_ptr_q[AW-1:0] == rd_ptr_q[AW-1:0]));
  assign commit_ready_o = !desc_full;
  assign do_wr          = wr_valid_i && wr_ready_o;
  assign wr_ptr_next    = wr_ptr_q + {{AW{1'b0}}, do_wr};

  ram_1w1r #(.W(128), .DEPTH(DEPTH), .AW(AW)) u_ram (
    .clk_i  (clk_i),
    .we_i   (do_wr),
    .waddr_i(wr_ptr_q[AW-1:0]),
    .wdata_i(wr_data_i),
    .re_i   (rd_issue),
    .raddr_i(rd_ptr_q[AW-1:0]),
    .rdata_o(ram_rdata)
  );

  sync_fifo #(.WIDTH(DescW), .DEPTH(DESC_DEPTH)) u_desc (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (commit_i && !desc_full),
    .data_i ({user_i, len_i, wr_ptr_next - frame_start_q}),
    .full_o (desc_full),
    .pop_i  (desc_pop),
    .data_o (desc_head),
    .empty_o(desc_empty),
    .count_o(desc_count)
  );

  // ------------------------------------------------------------------ read side
  logic         rd_issue;
  logic [127:0] ram_rdata;
  logic         active_q;           // a frame is being read
  logic [AW:0]  emit_left_q;        // beats still to read and send
  logic [AW:0]  skip_q;             // beats after them to skip
  logic [15:0]  bytes_left_q;       // bytes still to send
  logic         empty_frame_q;      // len = 0: one beat with tkeep = 0
  logic [USER_W-1:0] user_q;
  logic         pend_q;             // a RAM read (or empty beat) issued last cycle
  logic         pend_last_q;
  logic [15:0]  pend_keep_q;
  logic         pend_empty_q;
  logic         out_full, out_empty, out_push;
  logic [2:0]   out_count;
  logic [OutW-1:0] out_head;
  logic [USER_W-1:0] head_user;
  logic [15:0]  head_len;
  logic [AW:0]  head_nbeats;
  logic         issue_any;
  logic         issue_last;
  logic [15:0]  issue_keep;

  assign {head_user, head_len, head_nbeats} = desc_head;

  // Room for the beat in flight and one more in the output FIFO (depth 4).
  assign issue_any  = active_q && ({1'b0, out_count} + {3'b0, pend_q} < 4'd3);
  assign rd_issue   = issue_any && !empty_frame_q;
  assign issue_last = empty_frame_q || (emit_left_q == (AW + 1)'(1));
  assign issue_keep = empty_frame_q ? 16'h0 :
                      (bytes_left_q >= 16'd16) ? 16'hffff : ~(16'hffff << bytes_left_q[3:0]);
  assign desc_pop   = !active_q && !desc_empty;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q      <= '0;
      frame_start_q <= '0;
      rd_ptr_q      <= '0;
      active_q      <= 1'b0;
      emit_left_q   <= '0;
      skip_q        <= '0;
      bytes_left_q  <= '0;
      empty_frame_q <= 1'b0;
      user_q        <= '0;
      pend_q        <= 1'b0;
      pend_last_q   <= 1'b0;
      pend_keep_q   <= '0;
      pend_empty_q  <= 1'b0;
    end else begin
      // write pointer, commit, rollback
      if (rollback_i) begin
        wr_ptr_q <= frame_start_q;
      end else if (commit_i && !desc_full) begin
        wr_ptr_q      <= wr_ptr_next;
        frame_start_q <= wr_ptr_next;
      end else begin
        wr_ptr_q <= wr_ptr_next;
      end

      // start a frame
      if (desc_pop) begin
        active_q      <= 1'b1;
        user_q        <= head_user;
        bytes_left_q  <= head_len;
        empty_frame_q <= (head_len == 16'd0);
        emit_left_q   <= (AW + 1)'((32'(head_len) + 32'd15) >> 4);
        skip_q        <= head_nbeats - (AW + 1)'((32'(head_len) + 32'd15) >> 4);
      end

      pend_q <= issue_any;
      if (issue_any) begin
        pend_last_q  <= issue_last;
        pend_keep_q  <= issue_keep;
        pend_empty_q <= empty_frame_q;
        if (!empty_frame_q) begin
          rd_ptr_q     <= rd_ptr_q + 1'b1;
          emit_left_q  <= emit_left_q - 1'b1;
          bytes_left_q <= (bytes_left_q >= 16'd16) ? bytes_left_q - 16'd16 : 16'd0;
        end
        if (issue_last) begin
          active_q <= 1'b0;
          // Skip the stored beats past len (a zero-length frame skips all it stored).
          rd_ptr_q <= rd_ptr_q + (empty_frame_q ? skip_q : skip_q + 1'b1);
        end
      end
    end
  end

  // The beat read (or made up) last cycle enters the output FIFO.
  assign out_push = pend_q;
  sync_fifo #(.WIDTH(OutW), .DEPTH(4)) u_out (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (out_push),
    .data_i ({user_q, pend_last_q, pend_keep_q, pend_empty_q ? 128'h0 : ram_rdata}),
    .full_o (out_full),
    .pop_i  (m_ready_i),
    .data_o (out_head),
    .empty_o(out_empty),
    .count_o(out_count)
  );

  assign m_valid_o = !out_empty;
  assign {m_user_o, m_last_o, m_keep_o, m_data_o} = out_head;

  logic unused;
  assign unused = ^{out_full, desc_count};
endmodule

import type { ColDef, ValueSetterParams } from 'ag-grid-community';
import { useMemo, useState } from 'react';
import { needsLimitPrice, needsStopPrice } from '../../../engine/protocol/definitions';
import type { Fill, OrderSnapshot, PositionDto } from '../../../engine/protocol';
import { Grid } from '../components/Grid';
import { numberProblem } from '../lib/numbers';
import { Tabs } from '../components/Tabs';
import { useTrading, orderHistory, workingOrders } from '../store/trading';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { ledgerCol, numCol, sideCol, textCol, timeCol } from './columns';
import { flatten, modifyOrder } from './tradingActions';

type Tab = 'working' | 'history' | 'fills' | 'positions';

async function act(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    useUi.getState().notify('error', `${label}: ${errorText(e)}`);
  }
}

const FIELD_NAMES = { qty: 'quantity', price: 'limit price', stopPrice: 'stop price' } as const;

/**
 * An edited cell of a working order: sent through the desk's one modify, never written into
 * the row (the row changes when the venue confirms). A refusal says why.
 */
function editCell(field: keyof typeof FIELD_NAMES) {
  return (p: ValueSetterParams<OrderSnapshot>): boolean => {
    const o = p.data;
    const raw = p.newValue === null || p.newValue === undefined ? '' : String(p.newValue);
    const problem = raw.trim() === '' ? `${FIELD_NAMES[field]} is missing` : numberProblem(FIELD_NAMES[field], raw);
    if (!o || problem) {
      if (problem) useUi.getState().notify('error', problem);
      return false;
    }
    const v = Number(raw);
    if (v === o[field]) return false;
    void modifyOrder(o, { [field]: v }).then((refusal) => refusal && useUi.getState().notify('error', `Modify refused: ${refusal}`));
    return false;
  };
}

/** A working order's quantity, limit or stop, edited in place on a double click where the order has one. */
function editable(field: keyof typeof FIELD_NAMES, col: ColDef<OrderSnapshot>): ColDef<OrderSnapshot> {
  const applies = (o: OrderSnapshot | undefined) => !!o && (field === 'qty' || (field === 'price' ? needsLimitPrice(o.type) : needsStopPrice(o.type)));
  return {
    ...col,
    editable: (p) => applies(p.data),
    cellEditor: 'agNumberCellEditor',
    cellEditorParams: { min: 0, showStepperButtons: false },
    valueSetter: editCell(field),
    headerTooltip: `Double-click a working order's ${FIELD_NAMES[field]} to change it`,
  };
}

const statusCell: ColDef<OrderSnapshot> = {
  field: 'status',
  headerName: 'Status',
  cellClass: (p) => `status status-${p.value as string}`,
  valueFormatter: (p) => String(p.value).replace('_', ' '),
};

/** Working orders, order history, fills and positions; all fed live by pushed topics. */
export function Blotters() {
  const orders = useTrading((s) => s.orders);
  const fills = useTrading((s) => s.fills);
  const positions = useTrading((s) => s.positions);
  const [tab, setTab] = useState<Tab>('working');
  const working = useMemo(() => workingOrders(orders), [orders]);
  const history = useMemo(() => orderHistory(orders), [orders]);
  const open = positions.filter((p) => p.qty !== 0);

  const workingCols = useMemo<ColDef<OrderSnapshot>[]>(
    () => [
      timeCol<OrderSnapshot>('createdAt', 'Time', true),
      textCol<OrderSnapshot>('symbol', 'Symbol'),
      sideCol<OrderSnapshot>(),
      textCol<OrderSnapshot>('type', 'Type', { maxWidth: 90 }),
      editable('qty', numCol<OrderSnapshot>('qty', 'Qty', 'qty')),
      numCol<OrderSnapshot>('filledQty', 'Filled', 'qty'),
      editable('price', numCol<OrderSnapshot>('price', 'Limit')),
      editable('stopPrice', numCol<OrderSnapshot>('stopPrice', 'Stop')),
      statusCell,
      ledgerCol<OrderSnapshot>(),
      {
        headerName: '',
        colId: 'actions',
        sortable: false,
        minWidth: 120,
        maxWidth: 130,
        cellRenderer: (p: { data?: OrderSnapshot }) =>
          p.data ? (
            <span className="cell-actions">
              <button className="cell-btn" aria-label={`Change order ${p.data.id}`} title="Change it in the ticket" onClick={() => useUi.getState().editOrder(p.data!.id)}>
                Edit
              </button>
              <button className="cell-btn" aria-label={`Cancel order ${p.data.id}`} onClick={() => act('Cancel', () => client().call('orders.cancel', { orderId: p.data!.id }))}>
                Cancel
              </button>
            </span>
          ) : null,
      },
    ],
    [],
  );
  const historyCols = useMemo<ColDef<OrderSnapshot>[]>(
    () => [
      timeCol<OrderSnapshot>('updatedAt', 'Updated', true),
      textCol<OrderSnapshot>('symbol', 'Symbol'),
      sideCol<OrderSnapshot>(),
      textCol<OrderSnapshot>('type', 'Type', { maxWidth: 90 }),
      numCol<OrderSnapshot>('qty', 'Qty', 'qty'),
      numCol<OrderSnapshot>('filledQty', 'Filled', 'qty'),
      numCol<OrderSnapshot>('avgFillPrice', 'Avg price'),
      numCol<OrderSnapshot>('fees', 'Fees', 'money'),
      statusCell,
      textCol<OrderSnapshot>('reason', 'Reason', { flex: 2 }),
    ],
    [],
  );
  const fillCols = useMemo<ColDef<Fill>[]>(
    () => [
      timeCol<Fill>('ts', 'Time', true),
      textCol<Fill>('symbol', 'Symbol'),
      sideCol<Fill>(),
      numCol<Fill>('qty', 'Qty', 'qty'),
      numCol<Fill>('price', 'Price'),
      numCol<Fill>('fee', 'Fee', 'money'),
      textCol<Fill>('liquidity', 'Liq.', { maxWidth: 80 }),
      ledgerCol<Fill>(),
      textCol<Fill>('orderId', 'Order'),
    ],
    [],
  );
  const positionCols = useMemo<ColDef<PositionDto>[]>(
    () => [
      ledgerCol<PositionDto>(),
      textCol<PositionDto>('symbol', 'Symbol'),
      numCol<PositionDto>('qty', 'Qty', 'qty'),
      numCol<PositionDto>('avgPrice', 'Avg price'),
      numCol<PositionDto>('mark', 'Mark'),
      numCol<PositionDto>('unrealizedPnl', 'Unrealized', 'signed'),
      numCol<PositionDto>('realizedPnl', 'Realized', 'signed'),
      numCol<PositionDto>('fees', 'Fees', 'money'),
      {
        headerName: '',
        colId: 'actions',
        sortable: false,
        maxWidth: 80,
        cellRenderer: (p: { data?: PositionDto }) =>
          p.data && p.data.qty !== 0 ? (
            <button className="cell-btn" aria-label={`Flatten ${p.data.symbol}`} onClick={() => void flatten('Flatten', p.data!.symbol, p.data!.ledger)}>
              Flatten
            </button>
          ) : null,
      },
    ],
    [],
  );

  const actions =
    tab === 'working' ? (
      <button disabled={working.length === 0} onClick={() => act('Cancel all', () => client().call('orders.cancelAll', {}))}>
        Cancel all
      </button>
    ) : tab === 'positions' ? (
      <button disabled={open.length === 0} onClick={() => void flatten('Flatten all')}>
        Flatten all
      </button>
    ) : null;

  return (
    <div className="blotters">
      <Tabs<Tab>
        label="Blotters"
        active={tab}
        onChange={setTab}
        actions={actions}
        tabs={[
          { key: 'working', label: 'Working orders', badge: working.length },
          { key: 'history', label: 'Order history' },
          { key: 'fills', label: 'Fills' },
          { key: 'positions', label: 'Positions', badge: open.length },
        ]}
      >
        {tab === 'working' && <Grid label="Working orders" rows={working} columns={workingCols} rowId={(o) => o.id} empty="No working orders" />}
        {tab === 'history' && <Grid label="Order history" rows={history} columns={historyCols} rowId={(o) => o.id} empty="No orders yet" />}
        {tab === 'fills' && <Grid label="Fills" rows={fills} columns={fillCols} rowId={(f) => f.id} empty="No fills yet" />}
        {tab === 'positions' && <Grid label="Positions" rows={positions} columns={positionCols} rowId={(p) => `${p.ledger}|${p.symbol}`} empty="No positions" />}
      </Tabs>
    </div>
  );
}
